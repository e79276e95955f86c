"""statistics: an indicator's source in Statistics Norway (table id and selection)

Revision ID: c5d7e9f1a3b4
Revises: b4c6d8e0f2a3
Create Date: 2026-12-05 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "c5d7e9f1a3b4"
down_revision: str | None = "b4c6d8e0f2a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ssb_table", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True)
        )
        batch_op.add_column(
            sa.Column("ssb_selection", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    # The schema before has no place for an indicator's SSB source: refuse rather than drop it.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            (
                "SELECT count(*) FROM indicator"
                " WHERE ssb_table IS NOT NULL OR ssb_selection IS NOT NULL",
                "indicators' SSB sources (indicator.ssb_table, indicator.ssb_selection)",
            ),
        ],
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("ssb_selection")
        batch_op.drop_column("ssb_table")
