"""Storage: the SQLAlchemy models, the database and its transactions, and the Alembic migrations."""
