"""IncidentDesk: the incident commander's desktop."""

__version__ = "0.1.0"
