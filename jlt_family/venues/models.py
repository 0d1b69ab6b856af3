"""Models of venues (filled in by its issue)."""
