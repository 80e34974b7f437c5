"""the dentition a procedure code applies to

ID-3: ``procedure_code.dentition`` and ``master_code.dentition`` say whether a code is for
permanent teeth, primary teeth or both. The master list sets it: the shipped master codes get the
value the master list of this release gives them (frozen below), and so do the office's codes of
the same code (not the office's own custom codes); every other code applies to both.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The master list's codes of one dentition only, as resources/master_codes.csv gives them now.
PRIMARY = ("D2930", "D2934", "D3230", "D3240", "D7111")
PERMANENT = [
    "D1352",
    "D2510",
    "D2520",
    "D2530",
    "D2543",
    "D2544",
    "D2610",
    "D2620",
    "D2630",
    "D2643",
    "D2644",
    "D2740",
    "D2750",
    "D2751",
    "D2752",
    "D2780",
    "D2790",
    "D2791",
    "D2792",
    "D2794",
    "D2799",
    "D2910",
    "D2931",
    "D2950",
    "D2952",
    "D2954",
    "D2955",
    "D2960",
    "D2961",
    "D2962",
    "D3310",
    "D3320",
    "D3330",
    "D3346",
    "D3347",
    "D3348",
    "D3410",
    "D3421",
    "D3425",
    "D3430",
    "D6010",
    "D6013",
    "D6056",
    "D6057",
    "D6058",
    "D6059",
    "D6065",
    "D6080",
    "D6090",
    "D6100",
    "D6104",
    "D6110",
    "D6111",
    "D6114",
    "D6115",
    "D6190",
    "D6210",
    "D6240",
    "D6241",
    "D6245",
    "D6253",
    "D6545",
    "D6548",
    "D6740",
    "D6750",
    "D6751",
    "D6790",
    "D6793",
    "D6930",
    "D6980",
    "D7220",
    "D7230",
    "D7240",
    "D7241",
    "D7270",
    "D7280",
    "D9120",
    "D9974",
]


def _column() -> sa.Column[str]:
    return sa.Column("dentition", sa.String(length=32), server_default="both", nullable=False)


def upgrade() -> None:
    for table in ("master_code", "procedure_code"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_column())
    master = sa.table("master_code", sa.column("code", sa.String), sa.column("dentition", sa.String))
    office = sa.table(
        "procedure_code",
        sa.column("code", sa.String),
        sa.column("custom", sa.Boolean),
        sa.column("dentition", sa.String),
    )
    for value, codes in (("primary", PRIMARY), ("permanent", PERMANENT)):
        op.execute(master.update().where(master.c.code.in_(codes)).values(dentition=value))
        op.execute(
            office.update().where(office.c.code.in_(codes), office.c.custom.is_(sa.false())).values(dentition=value)
        )


def downgrade() -> None:
    for table in ("procedure_code", "master_code"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("dentition")
