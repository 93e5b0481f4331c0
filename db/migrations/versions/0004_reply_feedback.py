"""shoppers' thumbs up or down on the assistant's replies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:00:00

The shopper chat lets a shopper rate each reply; the rating is kept on the reply's message row
(`messages.feedback`: "up", "down", or NULL for none), so it is read together with the reply it judges.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both dialects: batch mode on SQLite would rebuild `messages` for a nullable column.
    op.add_column("messages", sa.Column("feedback", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("feedback")
