"""Call reminders and host agendas.

`call_reminders`: the reminder emails planned for each call, one per offset and per version of
the call's time, taken by `flask send-reminders` with a conditional UPDATE so each goes out
once. `host_agendas`: one row per host and local day whose morning agenda was sent; its unique
index turns away a second sender.

Calls booked before this migration get the reminders of the default offsets (24 hours and 1
hour before) whose moment is still ahead; the others are left out, as for a call booked late.

Revision ID: c4e8a2f6d1b3
Revises: b7f3c1d9e2a4
Create Date: 2026-12-08 10:00:00

"""
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2f6d1b3'
down_revision = 'b7f3c1d9e2a4'
branch_labels = None
depends_on = None

DEFAULT_OFFSETS = (1440, 60)  # config.py's REMINDER_OFFSETS_MINUTES at the time of writing


def upgrade():
    op.create_table('host_agendas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['host_id'], ['hosts.id'], name=op.f('fk_host_agendas_host_id_hosts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_host_agendas_outbox_message_id_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_agendas'))
    )
    with op.batch_alter_table('host_agendas', schema=None) as batch_op:
        batch_op.create_index('uq_host_agendas_host_day', ['host_id', 'day'], unique=True)

    op.create_table('call_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('scheduled', 'sent', 'skipped', 'withdrawn')", name=op.f('ck_call_reminders_status_known')),
    sa.CheckConstraint('minutes_before > 0', name=op.f('ck_call_reminders_minutes_before_positive')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_call_reminders_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_call_reminders_outbox_message_id_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_reminders'))
    )
    with op.batch_alter_table('call_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_call_reminders_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index('uq_call_reminders_booking_offset_sequence', ['booking_id', 'minutes_before', 'sequence'], unique=True)

    _plan_upcoming_calls()


def _plan_upcoming_calls():
    """The reminders still ahead for the confirmed calls booked before."""
    connection = op.get_bind()
    sqlite = connection.dialect.name == 'sqlite'

    def stored(moment):  # as models.UTCDateTime keeps it: naive UTC on SQLite
        return moment.replace(tzinfo=None) if sqlite else moment

    def read(moment):
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment

    bookings = sa.table(
        'bookings',
        sa.column('id', sa.Integer),
        sa.column('status', sa.String),
        sa.column('starts_at', sa.DateTime(timezone=True)),
        sa.column('sequence', sa.Integer),
    )
    reminders = sa.table(
        'call_reminders',
        sa.column('booking_id', sa.Integer),
        sa.column('minutes_before', sa.Integer),
        sa.column('sequence', sa.Integer),
        sa.column('due_at', sa.DateTime(timezone=True)),
        sa.column('status', sa.String),
    )
    now = datetime.now(timezone.utc)
    rows = connection.execute(
        sa.select(bookings.c.id, bookings.c.starts_at, bookings.c.sequence).where(
            bookings.c.status == 'confirmed', bookings.c.starts_at > stored(now)
        )
    ).all()
    planned = [
        {
            'booking_id': row.id,
            'minutes_before': minutes,
            'sequence': row.sequence,
            'due_at': stored(read(row.starts_at) - timedelta(minutes=minutes)),
            'status': 'scheduled',
        }
        for row in rows
        for minutes in DEFAULT_OFFSETS
        if read(row.starts_at) - timedelta(minutes=minutes) > now
    ]
    if planned:
        connection.execute(reminders.insert(), planned)


def downgrade():
    with op.batch_alter_table('call_reminders', schema=None) as batch_op:
        batch_op.drop_index('uq_call_reminders_booking_offset_sequence')
        batch_op.drop_index('ix_call_reminders_status_due_at')

    op.drop_table('call_reminders')
    with op.batch_alter_table('host_agendas', schema=None) as batch_op:
        batch_op.drop_index('uq_host_agendas_host_day')

    op.drop_table('host_agendas')
