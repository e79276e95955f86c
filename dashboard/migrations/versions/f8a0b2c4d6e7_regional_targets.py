"""statistics: targets for a region of an indicator (a county or municipality)

Revision ID: f8a0b2c4d6e7
Revises: d6e8f0a2b4c5
Create Date: 2026-12-05 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "f8a0b2c4d6e7"
down_revision: str | None = "d6e8f0a2b4c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "regionaltarget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_id", "region", name="uq_regionaltarget"),
    )
    with op.batch_alter_table("regionaltarget", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regionaltarget_indicator_id"), ["indicator_id"], unique=False
        )


def downgrade() -> None:
    # The schema before has no place for a region's target: refuse rather than drop it.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [("SELECT count(*) FROM regionaltarget", "regional targets (regionaltarget)")],
    )
    with op.batch_alter_table("regionaltarget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regionaltarget_indicator_id"))
    op.drop_table("regionaltarget")
