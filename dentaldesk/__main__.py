from dentaldesk.cli import main

raise SystemExit(main())
