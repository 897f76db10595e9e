"""Adapters that page people and post to chat: the only code that speaks HTTP."""
