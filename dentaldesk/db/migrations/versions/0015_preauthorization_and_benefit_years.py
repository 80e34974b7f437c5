"""preauthorization requests and answers; the benefit year of a plan item

CASE-2: ``preauthorization`` keeps each request sent for a plan (the subscriber and carrier as
printed, the day, the benefit year, the printed PDF) and its answer; ``preauthorization_line`` the
items as sent (code, tooth, fee) and the carrier's figures per item.
CASE-5: ``plan_item.benefit_year`` is the benefit year an item is planned in (None: the year its
coverage is in, as every item was before).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dentaldesk.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "preauthorization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("benefit_year", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=160), nullable=False),
        sa.Column("plan_name", sa.String(length=160), nullable=False),
        sa.Column("subscriber_name", sa.String(length=160), nullable=False),
        sa.Column("subscriber_id", sa.String(length=64), nullable=False),
        sa.Column("group_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("request_pdf", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["treatment_plan.id"], name=op.f("fk_preauthorization_plan_id_treatment_plan")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["app_user.id"], name=op.f("fk_preauthorization_requested_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["app_user.id"], name=op.f("fk_preauthorization_answered_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preauthorization")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("preauthorization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preauthorization_plan_id"), ["plan_id"], unique=False)
    op.create_table(
        "preauthorization_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("preauthorization_id", sa.Integer(), nullable=False),
        sa.Column("plan_item_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("tooth", sa.String(length=4), nullable=False),
        sa.Column("surfaces", sa.String(length=7), nullable=False),
        sa.Column("fee", dentaldesk.db.types.Money(), nullable=False),
        sa.Column("allowed", dentaldesk.db.types.Money(), nullable=True),
        sa.Column("pays", dentaldesk.db.types.Money(), nullable=True),
        sa.Column("deductible", dentaldesk.db.types.Money(), nullable=True),
        sa.Column("denied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["preauthorization_id"],
            ["preauthorization.id"],
            name=op.f("fk_preauthorization_line_preauthorization_id_preauthorization"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_id"],
            ["plan_item.id"],
            name=op.f("fk_preauthorization_line_plan_item_id_plan_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preauthorization_line")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("preauthorization_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_preauthorization_line_preauthorization_id"), ["preauthorization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_preauthorization_line_plan_item_id"), ["plan_item_id"], unique=False)
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("benefit_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.drop_column("benefit_year")
    with op.batch_alter_table("preauthorization_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preauthorization_line_plan_item_id"))
        batch_op.drop_index(batch_op.f("ix_preauthorization_line_preauthorization_id"))
    op.drop_table("preauthorization_line")
    with op.batch_alter_table("preauthorization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preauthorization_plan_id"))
    op.drop_table("preauthorization")
