"""The command line: ``main`` (the entry point), ``commands`` (every command, registered
once), ``common`` (what the command modules share), and one module per command group, each
imported only when one of its commands runs."""
