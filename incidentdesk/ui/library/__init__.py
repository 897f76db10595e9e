"""The library of past incidents and the read-only review."""
