"""variants as rows: what carts and orders point to, and where stock is reserved

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:30:00

`variants`: one row per buyable variant of a product (docs/store-data.md), with its options, price, availability
and stock; a product without variants becomes one variant with the product's own id. Stock is reserved on these
rows when an order is placed, with a conditional update, so two checkouts racing for the last unit cannot both
get it.

`cart_items` names the variant and its options; two variants of one product are two lines, so the unique key is
(cart, variant). The table is rebuilt (its old unique key has no name to drop on SQLite); each existing line
becomes its product's own variant.

`orders.version` counts an order's after-sales changes: a change is written only over the version it was planned
on, so of two conversations changing one order at once, one wins and the other is told why.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    variants = op.create_table(
        "variants",
        sa.Column("id", sa.String(length=128), primary_key=True),
        sa.Column(
            "product_id",
            sa.String(length=128),
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
    )
    op.create_index("ix_variants_product_id", "variants", ["product_id"])
    op.add_column("orders", sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, price, stock, variants FROM products")).all()
    op.bulk_insert(variants, [unit for row in rows for unit in _units(*row)])

    op.create_table(
        "cart_items_v9",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cart_id", sa.Integer(), sa.ForeignKey("carts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", sa.String(length=128), sa.ForeignKey("products.id"), nullable=False),
        sa.Column("variant_id", sa.String(length=128), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cart_id", "variant_id", name="ux_cart_items_variant"),
    )
    op.execute(
        "INSERT INTO cart_items_v9 (id, cart_id, product_id, variant_id, options, quantity, unit_price)"
        " SELECT id, cart_id, product_id, product_id, '{}', quantity, unit_price FROM cart_items"
    )
    op.drop_table("cart_items")
    op.rename_table("cart_items_v9", "cart_items")
    if connection.dialect.name == "postgresql":
        # The copied ids keep counting from where they were.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('cart_items', 'id'), COALESCE(MAX(id), 0) + 1, false)"
            " FROM cart_items"
        )


def _units(product_id: str, price, stock, listed) -> list[dict]:
    listed = json.loads(listed) if isinstance(listed, str) else listed
    if not listed:
        return [
            {
                "id": product_id,
                "product_id": product_id,
                "options": {},
                "price": price,
                "available": True,
                "stock": stock,
            }
        ]
    return [
        {
            "id": variant["id"],
            "product_id": product_id,
            "options": variant.get("options") or {},
            "price": price if variant.get("price") is None else variant["price"],
            "available": variant.get("available", True),
            "stock": variant.get("stock"),
        }
        for variant in listed
    ]


def downgrade() -> None:
    op.create_table(
        "cart_items_v8",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cart_id", sa.Integer(), sa.ForeignKey("carts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", sa.String(length=128), sa.ForeignKey("products.id"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cart_id", "product_id"),
    )
    # One line per product, as before: the variants of one product fold into its first line.
    op.execute(
        "INSERT INTO cart_items_v8 (id, cart_id, product_id, quantity, unit_price)"
        " SELECT MIN(id), cart_id, product_id, SUM(quantity), MIN(unit_price) FROM cart_items"
        " GROUP BY cart_id, product_id"
    )
    op.drop_table("cart_items")
    op.rename_table("cart_items_v8", "cart_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("version")
    op.drop_index("ix_variants_product_id", table_name="variants")
    op.drop_table("variants")
