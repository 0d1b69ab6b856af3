"""Models of visits (filled in by its issue)."""
