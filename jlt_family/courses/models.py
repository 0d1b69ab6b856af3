"""Models of courses (filled in by its issue)."""
