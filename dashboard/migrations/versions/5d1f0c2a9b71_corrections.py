"""corrections: a pending revision beside an approved value or check-in

Revision ID: 5d1f0c2a9b71
Revises: 6e2a1d3b0c82
Create Date: 2026-12-04 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "5d1f0c2a9b71"
down_revision: str | None = "6e2a1d3b0c82"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, subject column): the entries that may now have a correction beside them
TABLES = (("indicatorvalue", "indicator_id"), ("checkin", "initiative_id"))
# SQLite keeps the initial schema's unique constraints unnamed: name them to drop them
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _old_unique(table: str, subject: str) -> str:
    """The name the initial schema's (subject, period_id) constraint has on this database."""
    if op.get_bind().dialect.name == "sqlite":
        return f"uq_{table}_{subject}_period_id"
    return f"{table}_{subject}_period_id_key"  # PostgreSQL's own name for it


def upgrade() -> None:
    for table, subject in TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.add_column(
                sa.Column("is_correction", sa.Boolean(), nullable=False, server_default=sa.false())
            )
            batch_op.add_column(
                sa.Column("correction_reason", sa.String(length=1000), nullable=True)
            )
            batch_op.drop_constraint(_old_unique(table, subject), type_="unique")
            batch_op.create_unique_constraint(
                f"uq_{table}_entry", [subject, "period_id", "is_correction"]
            )


def downgrade() -> None:
    # The schema before has no place for a pending correction or for why an approved figure was
    # corrected: refuse rather than delete them.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            *(
                (f"SELECT count(*) FROM {table} WHERE is_correction", f"pending corrections ({table})")
                for table, _ in TABLES
            ),
            *(
                (
                    f"SELECT count(*) FROM {table} WHERE correction_reason IS NOT NULL AND NOT is_correction",
                    f"reasons of approved corrections ({table}.correction_reason)",
                )
                for table, _ in TABLES
            ),
        ],
    )
    for table, subject in TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_entry", type_="unique")
            batch_op.create_unique_constraint(
                _old_unique(table, subject), [subject, "period_id"]
            )
            batch_op.drop_column("correction_reason")
            batch_op.drop_column("is_correction")
