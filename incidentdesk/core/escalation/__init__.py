"""Escalation: pages and chat posts, their states, messages and retry timing."""
