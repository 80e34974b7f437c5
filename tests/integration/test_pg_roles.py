"""The shared office's two PostgreSQL roles (SEC-5): the app role cannot rewrite the audit log."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dentaldesk.cli import main
from dentaldesk.db.engine import make_engine
from dentaldesk.services.access.audit_log import verify_audit
from dentaldesk.services.access.login import login
from dentaldesk.services.practice.office import create_practice
from dentaldesk.services.uow import UnitOfWork

pytestmark = pytest.mark.postgres


def test_sec5_the_app_role_made_by_db_upgrade_reads_and_appends_but_cannot_rewrite_the_log(pg_url: str) -> None:
    """SEC-5: `db upgrade --app-role` as the owner; the app role works the practice but cannot UPDATE,
    DELETE, TRUNCATE, ALTER or drop the triggers of the audit log."""
    tag = uuid.uuid4().hex[:8]
    owner, app, database = f"dd_owner_{tag}", f"dd_app_{tag}", f"dd_roles_{tag}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
    base = make_url(pg_url).set(database=database, password=None)
    owner_url = base.set(username=owner).render_as_string(hide_password=False)
    app_url = base.set(username=app).render_as_string(hide_password=False)
    try:
        assert main(["db", "upgrade", "--url", owner_url, "--app-role", app]) == 0
        app_engine = make_engine(app_url)
        uow = UnitOfWork.for_engine(app_engine)
        create_practice(
            uow,
            office_code="R1",
            office_name="Roles Dental",
            owner_username="boss",
            owner_full_name="Boss",
            owner_password="boss-pass-12",
            workstation="ws",
        )
        boss = login(uow, "boss", "boss-pass-12", "ws")
        assert verify_audit(uow, boss).intact
        for statement in (
            "UPDATE audit_event SET username = 'x'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
            "ALTER TABLE audit_event DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_event_no_change ON audit_event",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with app_engine.connect() as conn, pytest.raises(DBAPIError, match="permission denied|must be owner"):
                conn.execute(text(statement))
        # Running it again changes nothing and still succeeds (the role exists).
        assert main(["db", "upgrade", "--url", owner_url, "--app-role", app]) == 0
        # The app role cannot hand itself the owner's job.
        assert main(["db", "upgrade", "--url", app_url, "--app-role", f"dd_other_{tag}"]) == 1
        app_engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{app}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()
