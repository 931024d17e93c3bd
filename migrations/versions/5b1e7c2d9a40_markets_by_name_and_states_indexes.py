"""Indexes for the paged market lists: markets by name, and by states.

A page of markets in name order is read from the name index (it stops after the page, however
many markets there are); the states menu and the count read the small states index.

Revision ID: 5b1e7c2d9a40
Revises: fb6e25339b75
Create Date: 2026-11-30 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b1e7c2d9a40'
down_revision = 'fb6e25339b75'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_markets_name_id', 'markets', ['name', 'id'])
    op.create_index('ix_markets_states', 'markets', ['states'])


def downgrade():
    op.drop_index('ix_markets_states', table_name='markets')
    op.drop_index('ix_markets_name_id', table_name='markets')
