"""missions: roles per mission, periods per mission, the mission of audit rows and mails

Revision ID: a9c1e3f5b7d9
Revises: f8a0b2c4d6e7
Create Date: 2026-12-05 12:00:00.000000

Every person's role moves from user.role to a missionrole row in each mission that exists (so
nobody gains or loses anything); the secretariat becomes the installation's administrators
(user.global_admin); periods, audit rows and mails belong to the mission there was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import DowngradeRefused, refuse_if_rows

revision: str = "a9c1e3f5b7d9"
down_revision: str | None = "f8a0b2c4d6e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's unnamed unique constraint on period.label gets this name for the batch to drop it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
FIRST_MISSION = "(SELECT min(id) FROM mission)"
APPEND_ONLY = "audit rows are append-only"  # as in 7c2e9d41a0b5


def upgrade() -> None:
    connection = op.get_bind()
    periods = connection.execute(sa.text("SELECT count(*) FROM period")).scalar() or 0
    missions = connection.execute(sa.text("SELECT count(*) FROM mission")).scalar() or 0
    if periods and not missions:
        raise DowngradeRefused(
            f"Upgrade to revision {revision} refused: the database has {periods} reporting "
            "periods but no mission to give them to. Load the mission first (python -m seed) "
            "with the version before this one, then upgrade. Nothing was changed."
        )
    op.create_table(
        "missionrole",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "mission_id", name="uq_missionrole"),
    )
    with op.batch_alter_table("missionrole", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missionrole_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_missionrole_mission_id"), ["mission_id"], unique=False
        )
    op.execute(
        'INSERT INTO missionrole (user_id, mission_id, role) SELECT "user".id, mission.id, '
        '"user".role FROM "user" CROSS JOIN mission ORDER BY "user".id, mission.id'
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("global_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("mission_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
    # one global administrator: the first secretariat account (the others keep their role as
    # the secretariat of the mission there is, through missionrole)
    op.execute(
        "UPDATE \"user\" SET global_admin = COALESCE(id = (SELECT min(id) FROM \"user\" "
        "WHERE role = 'admin' AND active), false)"
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("role")

    with op.batch_alter_table("period", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("mission_id", sa.Integer(), nullable=True))
    op.execute(f"UPDATE period SET mission_id = {FIRST_MISSION}")
    unique = "uq_period_label" if op.get_bind().dialect.name == "sqlite" else "period_label_key"
    with op.batch_alter_table("period", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.alter_column("mission_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(unique, type_="unique")
        batch_op.create_unique_constraint("uq_period_label", ["mission_id", "label"])
        batch_op.create_foreign_key("fk_period_mission", "mission", ["mission_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_period_mission_id"), ["mission_id"], unique=False)

    for table in ("auditevent", "outbox"):
        # a plain ADD COLUMN: SQLite's batch would copy the table and lose the audit trail's
        # append-only triggers
        op.execute(f"ALTER TABLE {table} ADD COLUMN mission_id INTEGER REFERENCES mission (id)")
        op.create_index(op.f(f"ix_{table}_mission_id"), table, ["mission_id"])
    op.execute(f"UPDATE outbox SET mission_id = {FIRST_MISSION}")
    # The audit trail's rows are of the one mission there was (so its secretariat still reads
    # them): the append-only trigger is set aside for this one UPDATE, and only here.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER auditevent_no_update")
        op.execute(f"UPDATE auditevent SET mission_id = {FIRST_MISSION}")
        op.execute(
            "CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON auditevent "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
    else:
        op.execute("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only")
        op.execute(f"UPDATE auditevent SET mission_id = {FIRST_MISSION}")
        op.execute("ALTER TABLE auditevent ENABLE TRIGGER auditevent_append_only")


def downgrade() -> None:
    # One mission and one role per person is all the schema before can hold.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            (
                "SELECT CASE WHEN count(*) > 1 THEN count(*) - 1 ELSE 0 END FROM mission",
                "missions beyond the first",
            ),
            (
                "SELECT count(*) FROM (SELECT user_id FROM missionrole GROUP BY user_id "
                "HAVING count(DISTINCT role) > 1) AS differing",
                "people with different roles in different missions",
            ),
        ],
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("outbox", "auditevent"):
        op.drop_index(op.f(f"ix_{table}_mission_id"), table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("mission_id")
    if sqlite:  # the batch copied auditevent without its append-only triggers
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER auditevent_no_{event.lower()} BEFORE {event} ON auditevent "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_period_mission_id"))
        batch_op.drop_constraint("fk_period_mission", type_="foreignkey")
        batch_op.drop_constraint("uq_period_label", type_="unique")
        # the name the upgrade looks for on each database
        batch_op.create_unique_constraint(
            "uq_period_label" if sqlite else "period_label_key", ["label"]
        )
        batch_op.drop_column("mission_id")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=9), server_default="partner", nullable=False)
        )
    op.execute(
        'UPDATE "user" SET role = COALESCE((SELECT min(role) FROM missionrole '
        "WHERE missionrole.user_id = \"user\".id), 'partner')"
    )
    op.execute("UPDATE \"user\" SET role = 'admin' WHERE global_admin")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("mission_key")
        batch_op.drop_column("global_admin")
    op.drop_table("missionrole")
