"""The catalog browser."""
