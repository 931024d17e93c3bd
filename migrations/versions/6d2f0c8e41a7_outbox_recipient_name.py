"""The outbox keeps a message's address and display name apart.

`recipient` was a "Name <addr>" string, built by the callers (some with an f-string), and
send-mail took the SMTP envelope from it: a name with a comma or angle brackets could add or
replace a recipient. From now on `recipient` holds the bare address, the envelope recipient,
and `recipient_name` the display name. Rows already there are split here: the address is the
one in the last angle brackets (the f-string put the typed, validated address last), and a
quoted or RFC 2047-encoded name is decoded.

Revision ID: 6d2f0c8e41a7
Revises: 5b1e7c2d9a40
Create Date: 2026-12-01 09:00:00

"""
import re
from email.header import decode_header
from email.header import make_header
from email.utils import formataddr

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d2f0c8e41a7'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None

NAMED = re.compile(r'\s*(.*?)\s*<([^<>]*)>\s*', re.S)


def split_recipient(value):
    """(display name, address) of a stored "Name <addr>" string, or ("", value) for a bare one."""
    found = NAMED.fullmatch(value or "")
    if found is None:
        return "", (value or "").strip()
    name, addr = found.groups()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r'\\(.)', r'\1', name[1:-1])
    try:
        name = str(make_header(decode_header(name)))
    except (ValueError, LookupError):
        pass  # not valid RFC 2047: keep the text as it was
    return " ".join(name.split())[:200], addr.strip()


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('recipient_name', sa.String(length=200), server_default='', nullable=False)
        )
    outbox = sa.table(
        'outbox_messages',
        sa.column('id', sa.Integer),
        sa.column('recipient', sa.String),
        sa.column('recipient_name', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.recipient)).all()
    for row_id, recipient in rows:
        name, addr = split_recipient(recipient)
        if (name, addr) != ("", recipient):
            connection.execute(
                outbox.update()
                .where(outbox.c.id == row_id)
                .values(recipient=addr, recipient_name=name)
            )


def downgrade():
    outbox = sa.table(
        'outbox_messages',
        sa.column('id', sa.Integer),
        sa.column('recipient', sa.String),
        sa.column('recipient_name', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.recipient, outbox.c.recipient_name)
        .where(outbox.c.recipient_name != '')
    ).all()
    for row_id, recipient, name in rows:
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row_id)
            .values(recipient=formataddr((name, recipient))[:254])
        )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('recipient_name')
