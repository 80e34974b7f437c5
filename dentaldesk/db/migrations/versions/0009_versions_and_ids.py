"""versions on every edited record, ids never reused

DATA-4: every record two workstations edit carries ``version`` (the ORM's version check) and
``saved_at`` / ``saved_by`` (who saved it last and when, named when a stale save is refused).
Rows already on file start at version 1 (or keep theirs) with no saver known.

DATA-5: on SQLite a table whose primary key is a plain INTEGER PRIMARY KEY hands out the
highest id + 1, so the id of a deleted newest row came back for the next row (a removed plan
item's id went to the next item added, and audit rows of one id described two items). Every
table is rebuilt with AUTOINCREMENT, which keeps the highest id ever used in sqlite_sequence.
The counter starts above the highest id in the table and the highest id the audit log names for
that table, so an id that was deleted before this upgrade is not given again either.
PostgreSQL's sequences never go back: only the columns are added there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with an id at this revision; those edited by two workstations get the version columns.
TABLES = (
    "master_code",
    "office",
    "account",
    "dental_plan",
    "fee_schedule",
    "procedure_code",
    "provider",
    "app_user",
    "bluebook_entry",
    "fee_schedule_entry",
    "patient",
    "plan_category",
    "audit_event",
    "coverage",
    "treatment_plan",
    "claim",
    "plan_approval",
    "plan_event",
    "plan_item",
    "plan_status_change",
    "item_prerequisite",
    "ledger_transaction",
    "chart_graphic",
    "claim_line",
    "login_session",
    "audit_chain",
)  # login_throttle is keyed by the name typed: it has no id to give again
UNVERSIONED = {
    "master_code",
    "audit_event",
    "plan_approval",
    "plan_event",
    "plan_status_change",
    "item_prerequisite",
    "login_session",
    "audit_chain",
}
HAD_VERSION = {"treatment_plan", "plan_item", "ledger_transaction"}


def _version_columns(table: str) -> list[sa.Column]:
    columns = [
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("saved_by", sa.String(length=160), server_default="", nullable=False),
    ]
    if table not in HAD_VERSION:
        columns.insert(0, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    return columns


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        new_columns = [] if table in UNVERSIONED else _version_columns(table)
        if not sqlite:
            for column in new_columns:
                op.add_column(table, column)
            continue
        triggers = _triggers_of(table)  # a rebuilt table loses its triggers (the audit log's append-only ones)
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            for column in new_columns:
                batch_op.add_column(column)
        for sql in triggers:
            op.execute(sql)
    if sqlite:
        _start_counters_above_every_id_used()


def _triggers_of(table: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
    )
    return [sql for (sql,) in rows]


def _start_counters_above_every_id_used() -> None:
    bind = op.get_bind()
    for table in TABLES:
        highest = bind.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar() or 0
        audited = (
            bind.execute(sa.text("SELECT max(entity_id) FROM audit_event WHERE entity = :t"), {"t": table}).scalar()
            or 0
        )
        floor = max(highest, audited)
        if not floor:
            continue
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :s)"), {"t": table, "s": floor})


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in reversed(TABLES):
        if table in UNVERSIONED and not sqlite:
            continue
        names = [] if table in UNVERSIONED else ["saved_by", "saved_at"] + ([] if table in HAD_VERSION else ["version"])
        if not sqlite:
            for name in names:
                op.drop_column(table, name)
            continue
        triggers = _triggers_of(table)
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}) as batch_op:
            for name in names:
                batch_op.drop_column(name)
        for sql in triggers:
            op.execute(sql)
