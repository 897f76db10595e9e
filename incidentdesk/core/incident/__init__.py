"""One incident: lifecycle, roles, severity, the timeline, quick-entry parsing, reminders, links."""
