"""list order indexes

Every list the front desk opens reads its rows from an index in the order shown, so a LIMIT
stops after the rows it shows: the Treatments list (an office's newest plans: treatment_plan
(office_id, updated_at, id)), the account's ledger (ledger_transaction (account_id, dos, id)) and
patient search (patient name, first name and birth date keys, each ending in the id).
SQLite appends the rowid to every index, so there the id only names what it already had;
PostgreSQL sorted every match of a typed letter without it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index, columns now, columns before)
CHANGED = (
    ("patient", "ix_patient_last_key", ["office_id", "last_name_key", "first_name_key", "id"],
     ["office_id", "last_name_key", "first_name_key"]),
    ("patient", "ix_patient_first_key", ["office_id", "first_name_key", "id"], ["office_id", "first_name_key"]),
    ("patient", "ix_patient_birth_date", ["office_id", "birth_date", "id"], ["office_id", "birth_date"]),
    ("ledger_transaction", "ix_ledger_account_dos", ["account_id", "dos", "id"], ["account_id", "dos"]),
)  # fmt: skip


def upgrade() -> None:
    # Plain CREATE/DROP INDEX: no table is rebuilt, on either database.
    for table, name, columns, _before in CHANGED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
    op.create_index(
        "ix_treatment_plan_office_updated", "treatment_plan", ["office_id", "updated_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_treatment_plan_office_updated", table_name="treatment_plan")
    for table, name, _columns, before in reversed(CHANGED):
        op.drop_index(name, table_name=table)
        op.create_index(name, table, before, unique=False)
