"""Settings, secrets, the shared-database connection and sync status."""
