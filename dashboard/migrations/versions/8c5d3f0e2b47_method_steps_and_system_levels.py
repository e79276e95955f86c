"""method: steps on the coordination staircase per initiative and link and period, and the
system levels each initiative works on

Revision ID: 8c5d3f0e2b47
Revises: 7b4e2c9d1a60
Create Date: 2026-12-05 03:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "8c5d3f0e2b47"
down_revision: str | None = "7b4e2c9d1a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, subject column, the table the subject is in)
STEP_TABLES = (
    ("initiativestep", "initiative_id", "initiative"),
    ("linkstep", "link_id", "initiativelink"),
)


def upgrade() -> None:
    for table, subject, target in STEP_TABLES:
        op.create_table(
            table,
            sa.Column("step", sa.Integer(), nullable=False),
            sa.Column("rationale", sa.String(length=500), nullable=False),
            sa.Column("assessed_by_id", sa.Integer(), nullable=True),
            sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column(subject, sa.Integer(), nullable=False),
            sa.Column("period_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["assessed_by_id"], ["user.id"]),
            sa.ForeignKeyConstraint([subject], [f"{target}.id"]),
            sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint(subject, "period_id"),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{subject}"), [subject], unique=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_period_id"), ["period_id"], unique=False)
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("system_levels", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("snapshotinitiative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("step_period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("system_levels", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
    op.create_table(
        "snapshotlink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("from_number", sa.Integer(), nullable=False),
        sa.Column("to_number", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("step_period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["statusreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("snapshotlink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_snapshotlink_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    # Assessed steps and named system levels have no place in the schema before: refuse
    # rather than drop them.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            *(
                (f"SELECT count(*) FROM {table}", f"assessed steps ({table})")
                for table, _, _ in STEP_TABLES
            ),
            (
                "SELECT count(*) FROM initiative WHERE CAST(system_levels AS TEXT) <> '[]'",
                "initiatives' system levels (initiative.system_levels)",
            ),
            (
                "SELECT count(*) FROM snapshotinitiative"
                " WHERE step IS NOT NULL OR system_levels IS NOT NULL",
                "status reports' steps and system levels of initiatives (snapshotinitiative)",
            ),
            ("SELECT count(*) FROM snapshotlink", "status reports' links (snapshotlink)"),
        ],
    )
    with op.batch_alter_table("snapshotlink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshotlink_report_id"))
    op.drop_table("snapshotlink")
    with op.batch_alter_table("snapshotinitiative", schema=None) as batch_op:
        batch_op.drop_column("system_levels")
        batch_op.drop_column("step_period")
        batch_op.drop_column("step")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_column("system_levels")
    for table, subject, _ in reversed(STEP_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_period_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_{subject}"))
        op.drop_table(table)
