"""Core: what every domain shares (database, errors, time, pagination, audit, idempotency, rate limits)."""
