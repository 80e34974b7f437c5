"""One function per user action: each runs in one unit of work, checks the role, audits."""
