"""Markets, price sheets, seats and quotes.

Times are timestamptz on PostgreSQL; on SQLite they hold naive UTC (see models.UTCDateTime).

Revision ID: c29f79b35505
Revises:
Create Date: 2026-11-29 19:26:34.967475

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c29f79b35505'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('markets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('official_name', sa.String(length=200), nullable=False),
    sa.Column('states', sa.String(length=40), nullable=False),
    sa.Column('aliases', sa.Text(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('seat_cap', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('search_key', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('seat_cap >= 0', name=op.f('ck_markets_seat_cap_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_markets')),
    sa.UniqueConstraint('slug', name=op.f('uq_markets_slug'))
    )
    op.create_table('price_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('price_per_lead_cents', sa.Integer(), nullable=False),
    sa.Column('monthly_minimum_leads', sa.Integer(), nullable=False),
    sa.Column('setup_fee_cents', sa.Integer(), nullable=False),
    sa.Column('return_window_days', sa.Integer(), nullable=False),
    sa.Column('credit_policy', sa.Text(), nullable=False),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('monthly_minimum_leads >= 0', name=op.f('ck_price_sheets_minimum_not_negative')),
    sa.CheckConstraint('price_per_lead_cents > 0', name=op.f('ck_price_sheets_price_positive')),
    sa.CheckConstraint('return_window_days >= 0', name=op.f('ck_price_sheets_return_window_not_negative')),
    sa.CheckConstraint('setup_fee_cents >= 0', name=op.f('ck_price_sheets_setup_fee_not_negative')),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_price_sheets_market_id_markets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_sheets'))
    )
    with op.batch_alter_table('price_sheets', schema=None) as batch_op:
        batch_op.create_index('ix_price_sheets_market_effective', ['market_id', 'effective_at'], unique=False)

    op.create_table('seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('company', sa.String(length=160), nullable=False),
    sa.Column('nmls_id', sa.String(length=12), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind = 'seated' OR expires_at IS NOT NULL", name=op.f('ck_seats_hold_expires')),
    sa.CheckConstraint("kind IN ('seated', 'held')", name=op.f('ck_seats_kind_known')),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_seats_market_id_markets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seats'))
    )
    with op.batch_alter_table('seats', schema=None) as batch_op:
        batch_op.create_index('ix_seats_market_active', ['market_id', 'released_at'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('market_id', sa.Integer(), nullable=False),
    sa.Column('price_sheet_id', sa.Integer(), nullable=False),
    sa.Column('market_name', sa.String(length=120), nullable=False),
    sa.Column('price_per_lead_cents', sa.Integer(), nullable=False),
    sa.Column('monthly_minimum_leads', sa.Integer(), nullable=False),
    sa.Column('setup_fee_cents', sa.Integer(), nullable=False),
    sa.Column('return_window_days', sa.Integer(), nullable=False),
    sa.Column('credit_policy', sa.Text(), nullable=False),
    sa.Column('sheet_effective_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['market_id'], ['markets.id'], name=op.f('fk_quotes_market_id_markets')),
    sa.ForeignKeyConstraint(['price_sheet_id'], ['price_sheets.id'], name=op.f('fk_quotes_price_sheet_id_price_sheets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('reference', name=op.f('uq_quotes_reference'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index('ix_quotes_market_id', ['market_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index('ix_quotes_market_id')

    op.drop_table('quotes')
    with op.batch_alter_table('seats', schema=None) as batch_op:
        batch_op.drop_index('ix_seats_market_active')

    op.drop_table('seats')
    with op.batch_alter_table('price_sheets', schema=None) as batch_op:
        batch_op.drop_index('ix_price_sheets_market_effective')

    op.drop_table('price_sheets')
    op.drop_table('markets')
