"""SQLite run records."""
