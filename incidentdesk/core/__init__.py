"""Pure domain: events, the fold, lifecycle, roles. No Qt, SQL, HTTP or keyring here."""
