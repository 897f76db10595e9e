"""Shared widgets: inline notes, table models, dialogs."""
