"""The shared office's two PostgreSQL roles (SEC-5, SEC-6): the owner migrates, the app works.

``dentaldesk db upgrade --app-role NAME``, run as the role that owns the database's tables,
creates the app role when it is missing (the owner needs CREATEROLE for that, or a database
superuser creates it first) and gives it exactly what the workstations need: read and write every
table, but on the audit log only read and append. The app role owns nothing, so it can neither
ALTER, DROP nor TRUNCATE a table, nor drop the audit log's triggers (SEC-5). Its password, when
``DENTALDESK_APP_PASSWORD`` is set, is given here, never on a command line (SEC-6).
"""

from __future__ import annotations

import os
import re

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from dentaldesk.config import StorageError

ENV_APP_PASSWORD = "DENTALDESK_APP_PASSWORD"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = ("audit_event",)
READ_ONLY = ("alembic_version",)


def set_up_app_role(engine: Engine, role: str) -> str:
    """Create (if needed) and grant the app role; return what was done, for the command's output."""
    if engine.dialect.name != "postgresql":
        raise StorageError("--app-role is for a shared office's PostgreSQL database; SQLite has no roles.")
    if not _NAME.match(role):
        raise StorageError(f"'{role}' is not a role name: lower-case letters, digits and _ only.")
    try:
        with engine.begin() as conn:
            me = conn.execute(text("SELECT current_user")).scalar_one()
            owner = conn.execute(
                text(
                    "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'audit_event'"
                )
            ).scalar()
            if owner != me:
                raise StorageError(
                    f"Run this as the role that owns the DentalDesk tables ({owner or 'not migrated yet'}), not as {me}."
                )
            if role == me:
                raise StorageError("The app role must be another role than the owner that migrates the database.")
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
            done = []
            if not exists:
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOINHERIT'))
                done.append(f"created role {role}")
            password = os.environ.get(ENV_APP_PASSWORD)
            if password:
                statement = conn.execute(
                    text("SELECT format('ALTER ROLE %I PASSWORD %L', :r, :p)"), {"r": role, "p": password}
                ).scalar_one()
                conn.execute(text(statement))
                done.append("set its password from $" + ENV_APP_PASSWORD)
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"'))
            conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
            conn.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'))
            conn.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
            for table in APPEND_ONLY:
                conn.execute(text(f'REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM "{role}"'))
            for table in READ_ONLY:
                conn.execute(text(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM "{role}"'))
            done.append(f"granted {role} the app's rights (the audit log: read and append only)")
            return "; ".join(done)
    except DBAPIError as exc:
        raise StorageError(f"The app role could not be set up: {str(exc.orig).strip().splitlines()[0]}") from exc
