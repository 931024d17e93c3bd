"""Waitlist entries: the status (and offer) link is a signed link id.

The link was an HMAC of a stored seed under SECRET_KEY, so a key rotation broke every status
link sent and every offer link emailed afterwards. Now each entry has a random `link_id` that
the link signs with itsdangerous (secret_links.py), verified under SECRET_KEY and
SECRET_KEY_FALLBACKS. `token_hash` stays for the links already sent (found by it, whatever
the key) and is empty for new entries; `token_seed` is no longer needed and is dropped.

Downgrade: random seeds are stored, and entries made after the upgrade get a hash that no link
matches, so links sent after the upgrade stop working (their owners get the link again by
joining again with the same address).

Revision ID: 9a4d7e2b5c13
Revises: 3c8e5a1f9b62
Create Date: 2026-12-01 11:00:00

"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a4d7e2b5c13'
down_revision = '3c8e5a1f9b62'
branch_labels = None
depends_on = None

entries = sa.table(
    'waitlist_entries',
    sa.column('id', sa.Integer),
    sa.column('link_id', sa.String),
    sa.column('token_seed', sa.String),
    sa.column('token_hash', sa.String),
)


def upgrade():
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_id', sa.String(length=32), nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.select(entries.c.id)).scalars().all()
    if ids:
        connection.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam('row_id'))
            .values(link_id=sa.bindparam('link')),
            [{'row_id': row_id, 'link': secrets.token_urlsafe(16)} for row_id in ids],
        )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.alter_column('link_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_column('token_seed')
        batch_op.create_unique_constraint(batch_op.f('uq_waitlist_entries_link_id'), ['link_id'])


def downgrade():
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_seed', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(entries.c.id, entries.c.token_hash)).all()
    if rows:
        connection.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam('row_id'))
            .values(token_seed=sa.bindparam('seed'), token_hash=sa.bindparam('hashed')),
            [
                {
                    'row_id': row.id,
                    'seed': secrets.token_urlsafe(32),
                    'hashed': row.token_hash or hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                }
                for row in rows
            ],
        )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_waitlist_entries_link_id', type_='unique')
        batch_op.alter_column('token_seed', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('link_id')
