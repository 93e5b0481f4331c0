"""The shared vocabulary of `docs/understanding.md`: intents, journey stages and slot names."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    AFFIRM = "affirm"
    DENY = "deny"
    SEARCH_PRODUCTS = "search_products"
    REFINE_SEARCH = "refine_search"
    RECOMMEND = "recommend"
    PRODUCT_QUESTION = "product_question"
    COMPARE_PRODUCTS = "compare_products"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    VIEW_CART = "view_cart"
    CHECKOUT = "checkout"
    ORDER_STATUS = "order_status"
    CANCEL_ORDER = "cancel_order"
    # An extension of the contract's taxonomy (docs/store-data.md): change a pending order's address, payment
    # method or items.
    MODIFY_ORDER = "modify_order"
    RETURN_REFUND = "return_refund"
    SHIPPING_INFO = "shipping_info"
    PAYMENT_INFO = "payment_info"
    HUMAN_AGENT = "human_agent"
    COMPLAINT = "complaint"
    OUT_OF_SCOPE = "out_of_scope"


class Stage(StrEnum):
    ENTRY = "entry"
    BROWSING = "browsing"
    CONSIDERATION = "consideration"
    CART = "cart"
    CHECKOUT = "checkout"
    PURCHASED = "purchased"
    POST_PURCHASE = "post_purchase"
    ABANDONED = "abandoned"


# The funnel's order: within one journey a conversation only moves to a later stage.
FUNNEL = (Stage.ENTRY, Stage.BROWSING, Stage.CONSIDERATION, Stage.CART, Stage.CHECKOUT, Stage.PURCHASED)

SLOT_NAMES = (
    "category",
    "color",
    "size",
    "brand",
    "material",
    "min_price",
    "max_price",
    "quantity",
    "product_ref",
    "order_id",
    "sort",
    # Extensions to the contract: the kind of product a search names that the catalog does not carry, and what a
    # request for a need says (NEED_SLOTS).
    "not_carried",
    "recipient",
    "age",
    "occasion",
    "interest",
    "gift",
)
# Who a present is for, their age, the occasion, what they enjoy, and whether it is a gift at all.
NEED_SLOTS = ("recipient", "age", "occasion", "interest", "gift")

SORT_ORDERS = ("price_asc", "price_desc", "rating_desc", "newest")

# The slots that narrow a product search to the catalog entries matching them exactly.
FILTER_SLOTS = ("min_price", "max_price", "color", "brand", "category", "material", "size")
