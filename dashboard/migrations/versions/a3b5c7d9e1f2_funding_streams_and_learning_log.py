"""funding: each initiative's funding streams (Halogen's model) and its learning log, and
both in the status reports' snapshots

Revision ID: a3b5c7d9e1f2
Revises: 9d2e4f6a8b10
Create Date: 2026-12-05 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "a3b5c7d9e1f2"
down_revision: str | None = "9d2e4f6a8b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "initiativefunding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=21), nullable=False),
        sa.Column("state", sa.String(length=11), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=True),
        sa.Column("note", TEXT(length=300), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"]),
        sa.ForeignKeyConstraint(["funder_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("initiativefunding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiativefunding_initiative_id"), ["initiative_id"], unique=False
        )
    op.create_table(
        "learningentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("learnt", TEXT(length=2000), nullable=False),
        sa.Column("shared_with", TEXT(length=500), nullable=True),
        sa.Column("learnt_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("learningentry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learningentry_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learningentry_learnt_on"), ["learnt_on"], unique=False)
    op.create_table(
        "learningshare",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["learningentry.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("entry_id", "organisation_id"),
    )
    op.create_table(
        "snapshotfunding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stream", TEXT(length=30), nullable=False),
        sa.Column("state", TEXT(length=20), nullable=False),
        sa.Column("funder", TEXT(length=60), nullable=True),
        sa.Column("note", TEXT(length=300), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["statusreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "snapshotlearning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("learnt", TEXT(length=2000), nullable=False),
        sa.Column("shared_with", TEXT(length=1000), nullable=True),
        sa.Column("learnt_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["statusreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in ("snapshotfunding", "snapshotlearning"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    # Funding streams and learning-log entries have no place in the schema before: refuse
    # rather than drop them.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            ("SELECT count(*) FROM initiativefunding", "funding streams (initiativefunding)"),
            ("SELECT count(*) FROM learningentry", "learning-log entries (learningentry)"),
            (
                "SELECT count(*) FROM snapshotfunding",
                "status reports' funding streams (snapshotfunding)",
            ),
            (
                "SELECT count(*) FROM snapshotlearning",
                "status reports' learning-log entries (snapshotlearning)",
            ),
        ],
    )
    for table in ("snapshotlearning", "snapshotfunding"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_report_id"))
        op.drop_table(table)
    op.drop_table("learningshare")
    with op.batch_alter_table("learningentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learningentry_learnt_on"))
        batch_op.drop_index(batch_op.f("ix_learningentry_initiative_id"))
    op.drop_table("learningentry")
    with op.batch_alter_table("initiativefunding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiativefunding_initiative_id"))
    op.drop_table("initiativefunding")
