"""Reminders: the outbox, WeChat subscribe messages, the in-app inbox and per-alliance policy."""
