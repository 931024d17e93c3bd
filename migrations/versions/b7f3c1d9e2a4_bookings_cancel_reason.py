"""Bookings: the reason given when a call is cancelled, and the words typed with it.

Both are empty for the calls cancelled before: nobody was asked.

Revision ID: b7f3c1d9e2a4
Revises: 9a4d7e2b5c13
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7f3c1d9e2a4'
down_revision = '9a4d7e2b5c13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column('cancel_detail', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_bookings_cancel_reason_known'),
            "cancel_reason IS NULL OR cancel_reason IN "
            "('timing', 'not_ready', 'price', 'other_source', 'other')",
        )


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bookings_cancel_reason_known'), type_='check')
        batch_op.drop_column('cancel_detail')
        batch_op.drop_column('cancel_reason')
