"""a hash of each idempotent shopper message as it was sent

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:00:00

A retried request with an `Idempotency-Key` must carry the same message as the first. The stored text is
redacted, so comparing redacted texts took a retry with another email address or card number for the same
message. `messages.text_hash` keeps a salted SHA-256 of the message as it was sent (salted with the conversation
and the key, so equal messages in two conversations hash differently); the messages stored before this revision
have none, and their retries are still compared redacted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("text_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("text_hash")
