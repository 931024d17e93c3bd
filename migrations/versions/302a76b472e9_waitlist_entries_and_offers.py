"""Waitlist entries: the queue per market, offers backed by held seats.

One active place per email and market (a partial unique index); times as timestamptz.

Revision ID: 302a76b472e9
Revises: a743c159bedd
Create Date: 2026-11-29 19:51:03.020975

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '302a76b472e9'
down_revision = 'a743c159bedd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('company', sa.String(length=160), nullable=False),
    sa.Column('nmls_id', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('token_seed', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offer_seat_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'offered', 'booked', 'seated', 'declined', 'expired', 'left', 'removed')", name=op.f('ck_waitlist_entries_status_known')),
    sa.CheckConstraint("status NOT IN ('offered', 'booked') OR offer_seat_id IS NOT NULL", name=op.f('ck_waitlist_entries_offer_has_seat')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_waitlist_entries_booking_id_bookings')),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_waitlist_entries_market_id_markets')),
    sa.ForeignKeyConstraint(['offer_seat_id'], ['seats.id'], name=op.f('fk_waitlist_entries_offer_seat_id_seats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_waitlist_entries_token_hash'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_entries_market_status', ['market_id', 'status', 'id'], unique=False)
        batch_op.create_index('uq_waitlist_entries_active_email', ['market_id', 'email'], unique=True, sqlite_where=sa.text("status IN ('waiting', 'offered', 'booked')"), postgresql_where=sa.text("status IN ('waiting', 'offered', 'booked')"))



def downgrade():
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_waitlist_entries_active_email', sqlite_where=sa.text("status IN ('waiting', 'offered', 'booked')"), postgresql_where=sa.text("status IN ('waiting', 'offered', 'booked')"))
        batch_op.drop_index('ix_waitlist_entries_market_status')

    op.drop_table('waitlist_entries')
