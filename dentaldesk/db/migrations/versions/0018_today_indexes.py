"""indexes for the Patients page's today list

The Patients page lists today's patients before anything is typed: those with a transaction
dated today or a plan item completed today. Both were found by reading every row of the office
(300 ms on a practice of 100,000 patients, at every start of the main window); an index on
ledger_transaction (office_id, dos, patient_id) and one on plan_item (completed_on, plan_id)
read only today's rows, on SQLite and PostgreSQL alike.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain CREATE INDEX: no table is rebuilt, on either database.
    op.create_index("ix_ledger_office_dos", "ledger_transaction", ["office_id", "dos", "patient_id"], unique=False)
    op.create_index("ix_plan_item_completed_on", "plan_item", ["completed_on", "plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_plan_item_completed_on", table_name="plan_item")
    op.drop_index("ix_ledger_office_dos", table_name="ledger_transaction")
