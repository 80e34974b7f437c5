"""write-offs and held amounts in the ledger

A charge now carries its estimated write-off (INS-8) and the parts of it that wait for insurance
age on their own (TX-AGE-3/4, AGE-5): ``write_off``, ``released_on`` (when the held part starts
aging) and the posted estimate (``estimated_secondary``, the deductibles, ``estimate_note``); a
write-off correction names its charge (``applies_to_id``); a claim line keeps the write-off the
carrier reported; an approval names its hash version (TP-15; existing approvals are version 1).

Already-posted money is brought into that shape without changing any account's balance:

* a "PPO write-off - <plan>" adjustment (what the demo of the earlier release posted per visit)
  is moved onto the visit's insurable charges as their write-offs (each charge's fee less the
  plan's bluebook fee, the whole adjustment spread over them), and the adjustment row removed;
* an insurable ICM 1 charge still waiting for its claim holds the whole charge less its write-off;
* a charge whose claim completed gets the completion date as ``released_on``; one the earlier
  release re-dated to that date gets its held part back (ICM 1: the charge less write-off; ICM 2:
  the estimated insurance) and, on ICM 2, its DOS as the patient's part's aged date;
* an insurance payment pays its claim's held amounts first (``held_amount``), oldest payment
  first, and ages with them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_AGING = ["office_id", "account_id", "dos", "kind", "aged_date", "amount", "tax", "held_amount"]
NEW_AGING = [*OLD_AGING, "write_off", "released_on"]
WRITE_OFF_PREFIX = "PPO write-off - "
KEEP_IDS = {"sqlite_autoincrement": True}
MONEY_COLUMNS = ("write_off", "estimated_secondary", "deductible_primary", "deductible_secondary")


def upgrade() -> None:
    op.drop_index("ix_ledger_aging", table_name="ledger_transaction")
    # A rebuilt SQLite table keeps AUTOINCREMENT, so ids are never reused (DATA-5, migration 0009).
    with op.batch_alter_table("ledger_transaction", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        for name in MONEY_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("released_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("applies_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("estimate_note", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_transaction_applies_to_id_ledger_transaction"),
            "ledger_transaction",
            ["applies_to_id"],
            ["id"],
        )
        batch_op.create_check_constraint(batch_op.f("ck_ledger_transaction_write_off_not_negative"), "write_off >= 0")
        batch_op.create_index(batch_op.f("ix_ledger_transaction_applies_to_id"), ["applies_to_id"], unique=False)
    op.create_index("ix_ledger_aging", "ledger_transaction", NEW_AGING, unique=False)
    with op.batch_alter_table("claim_line", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("write_off", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("plan_approval", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1"))
    conn = op.get_bind()
    _move_write_offs(conn)
    _hold_and_release(conn)


def downgrade() -> None:
    with op.batch_alter_table("plan_approval", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("hash_version")
    with op.batch_alter_table("claim_line", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("write_off")
    op.drop_index("ix_ledger_aging", table_name="ledger_transaction")
    with op.batch_alter_table("ledger_transaction", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transaction_applies_to_id"))
        batch_op.drop_constraint(batch_op.f("ck_ledger_transaction_write_off_not_negative"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_ledger_transaction_applies_to_id_ledger_transaction"), type_="foreignkey"
        )
        for name in (*MONEY_COLUMNS, "released_on", "applies_to_id", "estimate_note"):
            batch_op.drop_column(name)
    op.create_index("ix_ledger_aging", "ledger_transaction", OLD_AGING, unique=False)


def _spread(total: int, weights: list[int], caps: list[int]) -> list[int]:
    """``total`` cents spread over charges in proportion to ``weights``, none above its cap; the
    cents left by rounding go to the first charges with room (the sum is always ``total`` when
    the caps allow it)."""
    weight = sum(weights)
    shares = [min(cap, total * w // weight) if weight else 0 for w, cap in zip(weights, caps, strict=True)]
    rest = total - sum(shares)
    for n, cap in enumerate(caps):
        room = min(rest, cap - shares[n])
        shares[n] += room
        rest -= room
    return shares


def _move_write_offs(conn: sa.Connection) -> None:
    """Demo-style visit write-off adjustments become their charges' write-offs (INS-8)."""
    adjustments = conn.execute(
        sa.text(
            "SELECT id, office_id, patient_id, dos, amount, description FROM ledger_transaction "
            "WHERE kind = 'adjustment' AND description LIKE :prefix ORDER BY id"
        ),
        {"prefix": WRITE_OFF_PREFIX + "%"},
    ).all()
    for adjustment_id, office_id, patient_id, dos, amount, description in adjustments:
        plan_name = description[len(WRITE_OFF_PREFIX) :]
        plan_id = conn.scalar(
            sa.text("SELECT id FROM dental_plan WHERE office_id = :office AND name = :name ORDER BY id"),
            {"office": office_id, "name": plan_name},
        )
        charges = conn.execute(
            sa.text(
                "SELECT t.id, t.amount, t.tax, t.write_off, t.held_amount, c.code FROM ledger_transaction t "
                "JOIN procedure_code c ON c.id = t.procedure_code_id "
                "WHERE t.kind = 'charge' AND t.patient_id = :patient AND t.dos = :dos AND t.insurable = :yes "
                "ORDER BY t.id"
            ),
            {"patient": patient_id, "dos": dos, "yes": True},
        ).all()
        caps = [fee + tax - written - held for _id, fee, tax, written, held, _code in charges]
        if not charges or sum(caps) < amount:
            continue  # not a visit write-off this migration can place: left as the adjustment it is
        expected = []
        for _id, fee, _tax, _written, _held, code in charges:
            plan_fee = None
            if plan_id is not None:
                plan_fee = conn.scalar(
                    sa.text("SELECT plan_fee FROM bluebook_entry WHERE dental_plan_id = :plan AND code = :code"),
                    {"plan": plan_id, "code": code},
                )
            expected.append(max(0, fee - plan_fee) if plan_fee is not None else 0)
        weights = expected if sum(expected) > 0 else [fee for _id, fee, *_ in charges]
        shares = (
            expected
            if sum(expected) == amount and all(e <= cap for e, cap in zip(expected, caps, strict=True))
            else _spread(amount, weights, caps)
        )
        for (charge_id, *_), share in zip(charges, shares, strict=True):
            if share:
                conn.execute(
                    sa.text("UPDATE ledger_transaction SET write_off = write_off + :share WHERE id = :id"),
                    {"share": share, "id": charge_id},
                )
        conn.execute(sa.text("DELETE FROM ledger_transaction WHERE id = :id"), {"id": adjustment_id})


def _hold_and_release(conn: sa.Connection) -> None:
    """Held parts of insurable ICM 1/2 charges, release dates of completed claims, and insurance
    payments paying held amounts first (TX-AGE-3/4)."""
    charges = conn.execute(
        sa.text(
            "SELECT t.id, t.amount, t.tax, t.write_off, t.held_amount, t.estimated_insurance, t.dos, t.aged_date, "
            "a.icm, cl.status, cl.completed_on, cl.id "
            "FROM ledger_transaction t JOIN account a ON a.id = t.account_id "
            "LEFT JOIN claim cl ON cl.id = t.claim_id "
            "WHERE t.kind = 'charge' AND t.insurable = :yes"
        ),
        {"yes": True},
    ).all()
    held_on_claim: dict[int, int] = defaultdict(int)
    for charge_id, fee, tax, written, held, estimate, dos, aged, icm, status, completed_on, claim_id in charges:
        net = fee + tax - written
        new_held, new_aged, released = min(held, net), aged, None
        complete = status == "complete" and completed_on is not None
        if icm == 1 and aged is None and held == 0:
            new_held = net  # TX-AGE-3: the whole charge waits for its claim
        if complete:
            released = completed_on
            if held == 0 and aged == completed_on:  # re-dated by the earlier release on completion
                if icm == 1:
                    new_held, new_aged = net, None
                elif icm == 2:
                    new_held, new_aged = min(estimate, net), dos
        if claim_id is not None:
            held_on_claim[claim_id] += new_held
        if (new_held, new_aged, released) != (held, aged, None):
            conn.execute(
                sa.text(
                    "UPDATE ledger_transaction SET held_amount = :held, aged_date = :aged, released_on = :released "
                    "WHERE id = :id"
                ),
                {"held": new_held, "aged": new_aged, "released": released, "id": charge_id},
            )
    payments = conn.execute(
        sa.text(
            "SELECT t.id, t.amount, t.claim_id, cl.status, cl.completed_on FROM ledger_transaction t "
            "JOIN claim cl ON cl.id = t.claim_id WHERE t.kind = 'insurance_payment' ORDER BY t.dos, t.id"
        )
    ).all()
    for payment_id, amount, claim_id, status, completed_on in payments:
        directed = min(amount, held_on_claim[claim_id])
        held_on_claim[claim_id] -= directed
        released = completed_on if status == "complete" else None
        conn.execute(
            sa.text("UPDATE ledger_transaction SET held_amount = :held, released_on = :released WHERE id = :id"),
            {"held": directed, "released": released, "id": payment_id},
        )
