"""the store's shoppers, its own orders and product variants (docs/store-data.md)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00

`shoppers`: the store's customers as its export gives them (`shopassist shoppers import`), the whole record kept
as given so extra keys survive an export; email and name + zip are columns because a conversation identifies a
shopper by them.

`orders` now hold the store's own orders too: `number` is the store's order id ("#1042"; an order placed in chat
gets "SA-<id>"), `shopper_id` its owner when one is known, `record` what the contract's order carries beyond the
columns (address, fulfilments, payments, extra keys). An imported order belongs to no conversation, so
`conversation_id` becomes nullable.

`products.variants` and `order_items.variant_id`/`options`: a product line may list variants, an order line names
the variant shipped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shoppers",
        sa.Column("id", sa.String(length=128), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False, server_default=""),
        sa.Column("first_name", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("last_name", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("zip", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_shoppers_email", "shoppers", ["email"])
    op.add_column("products", sa.Column("variants", sa.JSON(), nullable=True))
    op.add_column("order_items", sa.Column("variant_id", sa.String(length=128), nullable=True))
    op.add_column("order_items", sa.Column("options", sa.JSON(), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("shopper_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("record", sa.JSON(), nullable=True))
        batch_op.alter_column("conversation_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index("ux_orders_number", ["number"], unique=True)
        batch_op.create_index("ix_orders_shopper_id", ["shopper_id"])
        batch_op.create_foreign_key(
            "fk_orders_shopper_id", "shoppers", ["shopper_id"], ["id"], ondelete="SET NULL"
        )
    op.execute("UPDATE orders SET number = 'SA-' || CAST(id AS VARCHAR(20))")


def downgrade() -> None:
    op.execute("DELETE FROM orders WHERE conversation_id IS NULL")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint("fk_orders_shopper_id", type_="foreignkey")
        batch_op.drop_index("ix_orders_shopper_id")
        batch_op.drop_index("ux_orders_number")
        batch_op.alter_column("conversation_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("record")
        batch_op.drop_column("shopper_id")
        batch_op.drop_column("number")
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_column("options")
        batch_op.drop_column("variant_id")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("variants")
    op.drop_index("ix_shoppers_email", table_name="shoppers")
    op.drop_table("shoppers")
