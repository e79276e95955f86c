"""involvement: whether and how children and young people take part in each initiative (Hart's
ladder of participation), and its state in the status reports' snapshots

Revision ID: 9d2e4f6a8b10
Revises: 8c5d3f0e2b47
Create Date: 2026-12-05 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "9d2e4f6a8b10"
down_revision: str | None = "8c5d3f0e2b47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "initiativeinvolvement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("involved", sa.Boolean(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("rung", sa.Integer(), nullable=True),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("participants", sa.String(length=9), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("initiativeinvolvement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiativeinvolvement_initiative_id"), ["initiative_id"], unique=True
        )
    with op.batch_alter_table("snapshotinitiative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("youth_involved", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("participation_rung", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Assessed involvement has no place in the schema before: refuse rather than drop it.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            (
                "SELECT count(*) FROM initiativeinvolvement",
                "assessed involvement of children and young people (initiativeinvolvement)",
            ),
            (
                "SELECT count(*) FROM snapshotinitiative WHERE youth_involved IS NOT NULL",
                "status reports' involvement of children and young people (snapshotinitiative)",
            ),
        ],
    )
    with op.batch_alter_table("snapshotinitiative", schema=None) as batch_op:
        batch_op.drop_column("participation_rung")
        batch_op.drop_column("youth_involved")
    with op.batch_alter_table("initiativeinvolvement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiativeinvolvement_initiative_id"))
    op.drop_table("initiativeinvolvement")
