"""follow-up contact notes and the office's mail server

CASE-3: plan_contact keeps each contact with a patient about a plan (called, left a message,
will call back on a day, declined with the reason), recorded from Follow-up.
CASE-4: the office's SMTP server (host, port, security, user, From address); its password is
kept in each workstation's settings file, not in the database (SEC-6).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("call_back_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["treatment_plan.id"], name=op.f("fk_plan_contact_plan_id_treatment_plan")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_plan_contact_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_contact")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("plan_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_contact_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.add_column(sa.Column("smtp_host", sa.String(length=255), server_default="", nullable=False))
        batch_op.add_column(sa.Column("smtp_port", sa.Integer(), server_default="587", nullable=False))
        batch_op.add_column(sa.Column("smtp_security", sa.String(length=16), server_default="starttls", nullable=False))
        batch_op.add_column(sa.Column("smtp_user", sa.String(length=255), server_default="", nullable=False))
        batch_op.add_column(sa.Column("smtp_from", sa.String(length=120), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("office", schema=None) as batch_op:
        for column in ("smtp_from", "smtp_user", "smtp_security", "smtp_port", "smtp_host"):
            batch_op.drop_column(column)
    with op.batch_alter_table("plan_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_contact_plan_id"))
    op.drop_table("plan_contact")
