"""Shoppers' personal data: redaction before storage, and erasure (forgetting a conversation or an email, the retention sweep)."""
