"""plan options

CASE-1: a plan holds one or more options (an implant, or a bridge), each with its own items.
``plan_option`` keeps them (name, left-to-right position, whether the patient chose it); every
plan item and every approval names its option.

Every existing plan becomes a one-option plan, unchanged: one option "Option A" per plan, holding
all its items; a plan that was ever approved has that option chosen, and each of its approvals
names it. No item, fee, approval or hash changes (an approval's hash covers its option's lines,
which are the plan's lines).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEEP_IDS = {"sqlite_autoincrement": True}
FIRST_OPTION = "Option A"


def upgrade() -> None:
    op.create_table(
        "plan_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["treatment_plan.id"], name=op.f("fk_plan_option_plan_id_treatment_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_option")),
        sa.UniqueConstraint("plan_id", "position", name=op.f("uq_plan_option_plan_id_position")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("plan_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_option_plan_id"), ["plan_id"], unique=False)

    plan = sa.table("treatment_plan", sa.column("id", sa.Integer()), sa.column("created_at", sa.DateTime()))
    approval = sa.table("plan_approval", sa.column("plan_id", sa.Integer()), sa.column("option_id", sa.Integer()))
    option = sa.table(
        "plan_option",
        sa.column("id", sa.Integer()),
        sa.column("plan_id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("chosen", sa.Boolean()),
        sa.column("created_at", sa.DateTime()),
    )
    item = sa.table("plan_item", sa.column("plan_id", sa.Integer()), sa.column("option_id", sa.Integer()))
    ever_approved = sa.exists().where(approval.c.plan_id == plan.c.id)
    op.execute(
        option.insert().from_select(
            ["plan_id", "name", "position", "chosen", "created_at"],
            sa.select(
                plan.c.id,
                sa.literal(FIRST_OPTION, sa.String()),
                sa.literal(1, sa.Integer()),
                sa.case((ever_approved, sa.true()), else_=sa.false()),
                plan.c.created_at,
            ).order_by(plan.c.id),
        )
    )

    # DATA-5: SQLite rebuilds these tables below; the rebuilt table's counter would restart at its
    # highest id left, below ids deleted and named in the audit log (migration 0009 set it above).
    counters = _sqlite_counters(("plan_item", "plan_approval"))
    for table in ("plan_item", "plan_approval"):
        with op.batch_alter_table(table, schema=None, table_kwargs=KEEP_IDS) as batch_op:
            batch_op.add_column(sa.Column("option_id", sa.Integer(), nullable=True))
    for target in (item, approval):
        op.execute(
            target.update().values(
                option_id=sa.select(option.c.id).where(option.c.plan_id == target.c.plan_id).scalar_subquery()
            )
        )
    for table in ("plan_item", "plan_approval"):
        with op.batch_alter_table(table, schema=None, table_kwargs=KEEP_IDS) as batch_op:
            batch_op.alter_column("option_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_option_id_plan_option"), "plan_option", ["option_id"], ["id"]
            )
            batch_op.create_index(batch_op.f(f"ix_{table}_option_id"), ["option_id"], unique=False)
    _restore_sqlite_counters(counters)


def _sqlite_counters(tables: tuple[str, ...]) -> dict[str, int]:
    """Each table's highest id ever given (sqlite_sequence); nothing on PostgreSQL, whose
    sequences are not touched by the changes here."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return {}
    found: dict[str, int] = {}
    for table in tables:
        seq = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}).scalar()
        if seq:
            found[table] = int(seq)
    return found


def _restore_sqlite_counters(counters: dict[str, int]) -> None:
    bind = op.get_bind()
    for table, seq in counters.items():
        now = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}).scalar() or 0
        if int(now) >= seq:
            continue
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :s)"), {"t": table, "s": seq})


def downgrade() -> None:
    for table in ("plan_approval", "plan_item"):
        with op.batch_alter_table(table, schema=None, table_kwargs=KEEP_IDS) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_option_id"))
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_option_id_plan_option"), type_="foreignkey")
            batch_op.drop_column("option_id")
    with op.batch_alter_table("plan_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_option_plan_id"))
    op.drop_table("plan_option")
