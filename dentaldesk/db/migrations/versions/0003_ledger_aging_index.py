"""ledger aging index

The office aging report (AGE-1..3) sums every ledger row of an office by account in
one query. This index holds every column that query reads, in account order, so the database
scans the narrow index instead of the ledger table and needs no sort for the grouping: on the
large practice (about a million rows) that more than halves the time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["office_id", "account_id", "dos", "kind", "aged_date", "amount", "tax", "held_amount"]


def upgrade() -> None:
    op.create_index("ix_ledger_aging", "ledger_transaction", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_ledger_aging", table_name="ledger_transaction")
