"""The store: models, engine, the one writer, and read-only queries."""
