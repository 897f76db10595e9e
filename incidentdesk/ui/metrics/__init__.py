"""The metrics tab and its charts."""
