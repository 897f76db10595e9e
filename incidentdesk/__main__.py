from incidentdesk.cli.main import main

raise SystemExit(main())
