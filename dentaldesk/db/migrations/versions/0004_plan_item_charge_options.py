"""plan item charge options

The Patient Transactions dialog lets a person untick Taxable (Non-pro rata, TX-TAX-2) or
Insurable (TX-INS-1) for one procedure. A plan item keeps that choice so the charge posted when
it is completed (TP-13) is the one the dialog showed; NULL keeps the code's, office's and
coverage's defaults, so every existing item goes on as before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taxable_override", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("insurable_override", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.drop_column("insurable_override")
        batch_op.drop_column("taxable_override")
