"""agents, their notes on conversations, and conversation takeover

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00

Agents log into the console with a username and a scrypt password hash (assistant/desk/agents.py). A conversation an
agent has taken over names that agent in `conversations.agent_id`; the assistant does not answer it meanwhile.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "agent_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agent_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_notes_conversation_id"), ["conversation_id"], unique=False)
    # Not batch mode on SQLite: rebuilding `conversations` drops the old table, and with foreign keys on that
    # deletes every message and cart by cascade. SQLite adds a nullable column with its reference in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE conversations ADD COLUMN agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("conversations", sa.Column("agent_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_conversations_agent_id", "conversations", "agents", ["agent_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    # SQLite can drop a column with a reference only by rebuilding the table (which cascades deletes, see
    # upgrade), so there the nullable column stays; older code never reads it.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_conversations_agent_id", "conversations", type_="foreignkey")
        op.drop_column("conversations", "agent_id")
    with op.batch_alter_table("agent_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_notes_conversation_id"))
    op.drop_table("agent_notes")
    op.drop_table("agents")
