"""Bookings: the manage link is a signed link id; the form's token is kept only as a hash.

The form's one-time token was stored in plain text, and posting any form with it opened the
booking it had made (name, email, reschedule, cancel); the manage link was an HMAC of it under
SECRET_KEY, so a key rotation broke every link sent. Now:

- `form_token_hash` is a SHA-256 of the token with the market, start and email the form booked
  (booking.form_token_hash, copied below: the two must stay the same), so only the same form
  for the same call finds the booking again; `form_token` is dropped.
- `link_id` is a random id the manage link signs with itsdangerous (secret_links.py); every
  booking gets one here.
- `manage_token_hash` stays, for the links already sent (found by it, whatever the key), and is
  empty for new bookings.

Downgrade: the plain form tokens can't come back (random ones are stored, so a resubmit of a
form from before the downgrade books anew) and links made after the upgrade stop working.

Revision ID: 3c8e5a1f9b62
Revises: 6d2f0c8e41a7
Create Date: 2026-12-01 10:00:00

"""
import hashlib
import secrets
import uuid
from datetime import UTC

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8e5a1f9b62'
down_revision = '6d2f0c8e41a7'
branch_labels = None
depends_on = None

bookings = sa.table(
    'bookings',
    sa.column('id', sa.Integer),
    sa.column('market_id', sa.Integer),
    sa.column('starts_at', sa.DateTime(timezone=True)),
    sa.column('email', sa.String),
    sa.column('form_token', sa.String),
    sa.column('form_token_hash', sa.String),
    sa.column('link_id', sa.String),
    sa.column('manage_token_hash', sa.String),
)


def form_token_hash(form_token, market_id, start, email):
    """booking.form_token_hash as of this revision."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)  # SQLite keeps UTC without a zone
    moment = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = ("booking-form", form_token, str(market_id), moment, email.strip().lower())
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('link_id', sa.String(length=32), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            bookings.c.id,
            bookings.c.form_token,
            bookings.c.market_id,
            bookings.c.starts_at,
            bookings.c.email,
        )
    ).all()
    if rows:
        connection.execute(
            bookings.update()
            .where(bookings.c.id == sa.bindparam('row_id'))
            .values(form_token_hash=sa.bindparam('hashed'), link_id=sa.bindparam('link')),
            [
                {
                    'row_id': row.id,
                    'hashed': form_token_hash(
                        row.form_token, row.market_id, row.starts_at, row.email
                    ),
                    'link': secrets.token_urlsafe(16),
                }
                for row in rows
            ],
        )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('form_token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('link_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('manage_token_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_constraint('uq_bookings_form_token', type_='unique')
        batch_op.drop_column('form_token')
        batch_op.create_unique_constraint(batch_op.f('uq_bookings_form_token_hash'), ['form_token_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_bookings_link_id'), ['link_id'])


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(bookings.c.id, bookings.c.manage_token_hash)).all()
    if rows:
        connection.execute(
            bookings.update()
            .where(bookings.c.id == sa.bindparam('row_id'))
            .values(form_token=sa.bindparam('token'), manage_token_hash=sa.bindparam('hashed')),
            [
                {
                    'row_id': row.id,
                    'token': uuid.uuid4().hex,
                    'hashed': row.manage_token_hash or hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                }
                for row in rows
            ],
        )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bookings_link_id', type_='unique')
        batch_op.drop_constraint('uq_bookings_form_token_hash', type_='unique')
        batch_op.alter_column('form_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('manage_token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_bookings_form_token'), ['form_token'])
        batch_op.drop_column('link_id')
        batch_op.drop_column('form_token_hash')
