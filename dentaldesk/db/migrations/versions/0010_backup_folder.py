"""backup folder in the general settings

DATA-6: the folder the practice's backups go to (another disk or a network share), set in
General settings; empty means the default, a "backups" folder beside the database.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backup_folder", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_column("backup_folder")
