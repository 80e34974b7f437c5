"""procedure link indexes

A procedure's chart marks are found by the charge or the plan item they belong to (the Patient
Transactions dialog, Remove Chart Graphic and Chart again, TX-CHART-1/2; completing, moving and
removing a plan item's planned mark), and a patient's open claims by the patient (TX-INS-2).
Without these indexes each of those reads scanned the whole chart_graphic or claim table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chart_graphic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chart_graphic_plan_item_id"), ["plan_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chart_graphic_transaction_id"), ["transaction_id"], unique=False)
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_patient_id"))
    with op.batch_alter_table("chart_graphic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chart_graphic_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_chart_graphic_plan_item_id"))
