"""indexes for the journey report and the abandonment sweep

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

The report counts conversations started in a date range (`conversations.created_at`); the sweep looks for
conversations in cart or checkout whose last activity is older than the timeout (`stage`, `updated_at`). The
journey log's queries use the existing (`kind`, `created_at`) and (`conversation_id`, `id`) indexes.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_conversations_stage_updated_at", ["stage", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_stage_updated_at")
        batch_op.drop_index("ix_conversations_created_at")
