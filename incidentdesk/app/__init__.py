"""The application: the Desk and the services it holds. Commands in, events out."""
