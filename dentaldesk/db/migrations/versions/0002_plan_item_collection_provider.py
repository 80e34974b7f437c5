"""plan item collection provider

The Patient Transactions dialog (TX-1) holds a production and a collection provider for every
procedure; a plan item keeps both so the charge posted when it is completed (TP-13) credits the
same people the dialog showed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collection_provider_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_item_collection_provider_id_provider"), "provider", ["collection_provider_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plan_item_collection_provider_id_provider"), type_="foreignkey")
        batch_op.drop_column("collection_provider_id")
