"""patient search keys folded the Unicode way

A patient's ``first_name_key`` and ``last_name_key`` were the name's ASCII letters only: a Greek,
Cyrillic or Chinese name had an empty key (found by nothing, or by every search), and "Øst" was
keyed "st". They are now the name folded the Unicode way without its accents
(dentaldesk.domain.text.search_key: NFKC, casefold, accents removed), so "Éva" is still found
by "eva" and every name keeps its letters. This migration re-keys the stored patients; the names
themselves are kept as they are.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _key(text: str) -> str:
    """search_key as of this revision (frozen here: a later change of the rule needs its own migration)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", bare).strip()[:80]


def _old_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii()).lower().strip()


def _rekey(key) -> None:  # type: ignore[no-untyped-def]
    conn = op.get_bind()
    patient = sa.table(
        "patient",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("first_name_key", sa.String),
        sa.column("last_name_key", sa.String),
    )
    change = (
        sa.update(patient)
        .where(patient.c.id == sa.bindparam("pid"))
        .values(first_name_key=sa.bindparam("fk"), last_name_key=sa.bindparam("lk"))
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(
                patient.c.id,
                patient.c.first_name,
                patient.c.last_name,
                patient.c.first_name_key,
                patient.c.last_name_key,
            )
            .where(patient.c.id > last)
            .order_by(patient.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        changed = [
            {"pid": pid, "fk": key(first), "lk": key(last_name)}
            for pid, first, last_name, first_key, last_key in rows
            if (key(first), key(last_name)) != (first_key, last_key)
        ]
        if changed:
            conn.execute(change, changed)


def upgrade() -> None:
    _rekey(_key)


def downgrade() -> None:
    _rekey(_old_key)
