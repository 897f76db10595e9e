"""Entry point of the frozen application: the same as the ``incidentdesk`` console script."""

from incidentdesk.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
