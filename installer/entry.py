"""Entry point of the bundled app: the same command line as the installed `dentaldesk`."""

from dentaldesk.cli import main

raise SystemExit(main())
