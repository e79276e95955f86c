"""statistics: breakdown cells of SSB tables by region, gender, age and year, in batches

Revision ID: d6e8f0a2b4c5
Revises: c5d7e9f1a3b4
Create Date: 2026-12-05 08:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "d6e8f0a2b4c5"
down_revision: str | None = "c5d7e9f1a3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "statisticsbatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("table_id", _text(5), nullable=True),
        sa.Column("source", _text(1000), nullable=False),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("age_total", _text(20), nullable=True),
        sa.Column("region_labels", sa.Text(), nullable=True),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", _text(1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("statisticsbatch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statisticsbatch_indicator_id"), ["indicator_id"], unique=False
        )
    op.create_table(
        "statisticscell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("region", _text(10), nullable=False),
        sa.Column("gender", _text(20), nullable=False),
        sa.Column("age", _text(20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("base", sa.Float(), nullable=True),
        sa.Column("symbol", _text(3), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["statisticsbatch.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "region", "gender", "age", "year", name="uq_statcell"),
    )


def downgrade() -> None:
    # The schema before has no place for breakdown cells: refuse rather than drop them.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            (
                "SELECT count(*) FROM statisticsbatch",
                "imports of SSB breakdowns (statisticsbatch, statisticscell)",
            ),
        ],
    )
    op.drop_table("statisticscell")
    with op.batch_alter_table("statisticsbatch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statisticsbatch_indicator_id"))
    op.drop_table("statisticsbatch")
