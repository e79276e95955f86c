"""notifications: the outbox of e-mails, each person's notification choices and mail language

Revision ID: 7b4e2c9d1a60
Revises: 5d1f0c2a9b71
Create Date: 2026-12-05 01:36:59.576786
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from dashboard.migrate import refuse_if_rows

revision: str = "7b4e2c9d1a60"
down_revision: str | None = "5d1f0c2a9b71"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=18), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_recipient_id"), ["recipient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )
        batch_op.add_column(sa.Column("notifications", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Mails not sent yet, and the choices people made, have no place in the schema before:
    # refuse rather than drop them. Sent mails go (the audit log keeps each one's recipient,
    # kind and object), like mails given up on or dropped.
    refuse_if_rows(
        op.get_bind(),
        revision,
        [
            (
                "SELECT count(*) FROM outbox WHERE status IN ('queued', 'retrying', 'sending')",
                "e-mails not sent yet (outbox); run python -m dashboard.notify --once first",
            ),
            (
                'SELECT count(*) FROM "user" WHERE language IS NOT NULL'
                " OR CAST(notifications AS TEXT) <> 'null'",
                "users' notification choices or mail language (user.notifications, user.language)",
            ),
        ],
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("notifications")
        batch_op.drop_column("language")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_recipient_id"))

    op.drop_table("outbox")
