"""Background threads and start-up wiring: sync with the shared database, the courier."""
