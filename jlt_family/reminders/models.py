"""Models of reminders (filled in by its issue)."""
