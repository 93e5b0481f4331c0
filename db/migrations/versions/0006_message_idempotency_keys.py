"""idempotency keys on shopper messages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 23:30:00

A client that retries `POST …/messages` after a timeout or a server crash sends the same `Idempotency-Key`
header again. The shopper message of the turn keeps that key (`messages.idempotency_key`) and the turn
result (`messages.turn_result`, redacted like the transcript), so the retry is answered from them instead of
running a second turn. A unique index on (conversation_id, idempotency_key) makes concurrent retries yield one turn; the
messages stored before this revision have no key, and NULLs never collide.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs and CREATE INDEX on both dialects: nothing here needs SQLite to rebuild `messages`.
    op.add_column("messages", sa.Column("idempotency_key", sa.String(length=128), nullable=True))
    op.add_column("messages", sa.Column("turn_result", sa.JSON(), nullable=True))
    op.create_index(
        "ux_messages_conversation_idempotency_key",
        "messages",
        ["conversation_id", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_messages_conversation_idempotency_key", table_name="messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("turn_result")
        batch_op.drop_column("idempotency_key")
