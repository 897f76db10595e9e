"""The command view: incident list, header, role board, timeline, quick entry."""
