"""The escalation panel: pages and their states."""
