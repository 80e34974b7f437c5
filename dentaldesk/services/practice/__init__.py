"""Practice set-up: the office and general settings, fee schedules, procedure codes, dental plans
and bluebooks, users and providers, and the fee resolver."""
