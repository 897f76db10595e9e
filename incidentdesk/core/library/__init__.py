"""Past incidents: search and metrics."""
