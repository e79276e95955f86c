"""agencies: the mission's phases (replacing mission.phase; deliverables belong to a phase), the
agencies' cooperation tasks (etatssamarbeidet) with their organisations and initiatives, and
both in the status reports' snapshots

Revision ID: b4c6d8e0f2a3
Revises: a3b5c7d9e1f2
Create Date: 2026-12-05 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "b4c6d8e0f2a3"
down_revision: str | None = "a3b5c7d9e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("design", "implementation", "execution")  # MissionPhase, in the phases' order


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "phase",
        sa.Column("description", _text(2000), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("start_precision", sa.String(length=5), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("end_precision", sa.String(length=5), nullable=False),
        sa.Column("note", _text(2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=14), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mission_id", "kind"),
    )
    with op.batch_alter_table("phase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phase_mission_id"), ["mission_id"], unique=False)
    with op.batch_alter_table("deliverable", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phase_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_deliverable_phase_id"), ["phase_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_deliverable_phase", "phase", ["phase_id"], ["id"]
        )
    # mission.phase becomes phase rows: the design phase (the deliverables' phase so far) and,
    # when the mission had moved on, its phase after it, undated (the current phase is then the
    # last in order, as mission.phase said).
    connection = op.get_bind()
    missions = connection.execute(sa.text("SELECT id, phase FROM mission")).all()
    insert = sa.text(
        "INSERT INTO phase (mission_id, kind, sort_order, start_precision, end_precision)"
        " VALUES (:mission, :kind, :order, 'day', 'day')"
    )
    for mission_id, phase in missions:
        kinds = ["design"] + ([phase] if phase in KINDS and phase != "design" else [])
        for kind in kinds:
            connection.execute(
                insert, {"mission": mission_id, "kind": kind, "order": KINDS.index(kind)}
            )
    connection.execute(
        sa.text(
            "UPDATE deliverable SET phase_id = (SELECT phase.id FROM phase WHERE"
            " phase.mission_id = deliverable.mission_id AND phase.kind = 'design')"
        )
    )
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.drop_column("phase")

    op.create_table(
        "etatstask",
        sa.Column("title", _text(300), nullable=False),
        sa.Column("description", _text(2000), nullable=True),
        sa.Column("involved", _text(300), nullable=True),
        sa.Column("end_kind", sa.String(length=10), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("end_precision", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=7), nullable=False),
        sa.Column("note", _text(2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("key", _text(80), nullable=False),
        sa.Column("source_table", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mission_id", "key"),
    )
    with op.batch_alter_table("etatstask", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_etatstask_mission_id"), ["mission_id"], unique=False)
    op.create_table(
        "etatstaskorganisation",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=11), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["etatstask.id"]),
        sa.PrimaryKeyConstraint("task_id", "organisation_id", "role"),
    )
    op.create_table(
        "etatstaskinitiative",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["etatstask.id"]),
        sa.PrimaryKeyConstraint("task_id", "initiative_id"),
    )
    op.create_table(
        "snapshottask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("title", _text(300), nullable=False),
        sa.Column("status", _text(10), nullable=False),
        sa.Column("end_kind", _text(10), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("end_precision", _text(5), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["statusreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "snapshotphase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(14), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("start_precision", _text(5), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["statusreport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in ("snapshottask", "snapshotphase"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    # Tasks, phases' dates and texts, and reports' tasks and phases have no place in the schema
    # before: refuse rather than drop them. Undated phases go back into mission.phase.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            ("SELECT count(*) FROM etatstask", "agencies' cooperation tasks (etatstask)"),
            (
                'SELECT count(*) FROM phase WHERE start IS NOT NULL OR "end" IS NOT NULL'
                " OR description IS NOT NULL OR note IS NOT NULL",
                "phases' dates and descriptions (phase)",
            ),
            (
                "SELECT count(*) FROM deliverable WHERE phase_id IS NULL OR phase_id NOT IN"
                " (SELECT id FROM phase WHERE kind = 'design')",
                "deliverables' phases other than the design phase (deliverable.phase_id)",
            ),
            ("SELECT count(*) FROM snapshottask", "status reports' tasks (snapshottask)"),
            ("SELECT count(*) FROM snapshotphase", "status reports' phases (snapshotphase)"),
        ],
    )
    for table in ("snapshotphase", "snapshottask"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_report_id"))
        op.drop_table(table)
    op.drop_table("etatstaskinitiative")
    op.drop_table("etatstaskorganisation")
    with op.batch_alter_table("etatstask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_etatstask_mission_id"))
    op.drop_table("etatstask")
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "phase", sa.String(length=14), nullable=False, server_default=sa.text("'design'")
            )
        )
    op.get_bind().execute(
        sa.text(
            "UPDATE mission SET phase = COALESCE((SELECT kind FROM phase"
            " WHERE phase.mission_id = mission.id ORDER BY sort_order DESC LIMIT 1), 'design')"
        )
    )
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.alter_column("phase", server_default=None)
    with op.batch_alter_table("deliverable", schema=None) as batch_op:
        batch_op.drop_constraint("fk_deliverable_phase", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_deliverable_phase_id"))
        batch_op.drop_column("phase_id")
    with op.batch_alter_table("phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phase_mission_id"))
    op.drop_table("phase")
