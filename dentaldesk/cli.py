"""The command line: ``dentaldesk`` starts the app; subcommands serve set-up and batch work.

    dentaldesk [--demo] [--url URL]          start the desktop app
    dentaldesk db upgrade [--url URL]        bring a database to the current schema
    dentaldesk demo create [--url URL] [--size demo|large]
    dentaldesk codes import FILE.csv [--url URL] [--user NAME]
    dentaldesk handout PLAN_ID -o FILE.pdf [--url URL] [--user NAME]
    dentaldesk aging [--url URL] [--as-of DATE] [--csv] [--office ID]

Errors a person can fix print one line on stderr and exit with a non-zero code; nothing is
overwritten.
"""

from __future__ import annotations
