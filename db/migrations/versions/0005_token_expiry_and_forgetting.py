"""shopper tokens expire; conversations can be forgotten

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

`conversations.token_expires_at`: when the shopper's bearer token stops opening the conversation. Tokens have
been stored as SHA-256 hashes since 0001, so existing rows keep their hash; they get the default lifetime
(720 hours) counted from the conversation's start, which expires long-idle conversations at once and gives
recent ones the same lifetime as new ones.

`conversations.forgotten_at`: when the shopper's data was erased (`shopassist privacy forget` or the retention
sweep), so the sweep does not visit a conversation twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DEFAULT_TOKEN_TTL_HOURS = 720


def upgrade() -> None:
    # Plain ADD COLUMNs on both dialects: nullable columns need no table rebuild on SQLite.
    op.add_column("conversations", sa.Column("token_expires_at", sa.DateTime(), nullable=True))
    op.add_column("conversations", sa.Column("forgotten_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        expiry = f"datetime(created_at, '+{DEFAULT_TOKEN_TTL_HOURS} hours')"
    else:
        expiry = f"created_at + interval '{DEFAULT_TOKEN_TTL_HOURS} hours'"
    op.execute(f"UPDATE conversations SET token_expires_at = {expiry}")


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("forgotten_at")
        batch_op.drop_column("token_expires_at")
