"""Administration services: user accounts, the readable audit trail, OIDC identities."""

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_permissions import AD, OP, PA, ST, bootstrap, rows

from dashboard.services.audit_view import AuditFilter, audit_facets, audit_trail
from dashboard.services.permissions import ANONYMOUS, Actor, PermissionDenied
from dashboard.services.users import (
    DuplicateEmail,
    LastAdmin,
    create_user,
    current_actor_of,
    identity_actor,
    update_user,
    user_table,
)
from models import AuditEvent, Role, User, UserCreate, UserUpdate

READS: dict[str, tuple[Callable[[Actor, Engine], object], str]] = {
    "user_table": (lambda actor, engine: user_table(actor, engine=engine), "manage_users"),
    "audit_trail": (
        lambda actor, engine: audit_trail(actor, AuditFilter(), engine=engine),
        "read_audit",
    ),
    "audit_facets": (lambda actor, engine: audit_facets(actor, engine=engine), "read_audit"),
}


@pytest.mark.parametrize("role", [None, *Role])
@pytest.mark.parametrize("name", list(READS))
def test_only_admins_read_users_and_the_audit_trail(
    engine: Engine, role: Role | None, name: str
) -> None:
    actor = ANONYMOUS if role is None else bootstrap(engine, role, f"{role.value}@example.no")
    read, action = READS[name]
    if role == AD:
        read(actor, engine)
        assert rows(engine, AuditEvent, action="refused") == 0
        return
    with pytest.raises(PermissionDenied):
        read(actor, engine)
    assert rows(engine, AuditEvent, action="refused", entity=action) == 1


def test_user_table_never_shows_a_password_hash(engine: Engine) -> None:
    admin = bootstrap(engine, AD, "admin@example.no", password="et-langt-passord")
    table = user_table(admin, engine=engine)
    assert list(table["email"]) == ["admin@example.no"]
    assert bool(table["has_password"][0]) is True
    assert not any("hash" in column for column in table.columns)


def test_e_mail_addresses_are_unique_whatever_the_case(engine: Engine) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    create_user(admin, UserCreate(email="Kari@Example.no", name="Kari"), engine=engine)
    before = rows(engine, AuditEvent)
    with pytest.raises(DuplicateEmail):
        create_user(admin, UserCreate(email="kari@example.NO", name="Kari 2"), engine=engine)
    assert rows(engine, User) == 2 and rows(engine, AuditEvent) == before


@pytest.mark.parametrize(
    "change", [UserUpdate(active=False), UserUpdate(role=Role.PARTNER)], ids=["off", "demote"]
)
def test_the_last_active_admin_cannot_be_removed(engine: Engine, change: UserUpdate) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    with pytest.raises(LastAdmin):
        update_user(admin, admin.id or 0, change, reason="ved en feil", engine=engine)
    with Session(engine) as session:
        user = session.get(User, admin.id)
        assert user is not None and user.active and user.role == Role.ADMIN
    assert rows(engine, AuditEvent, action="update") == 0
    other = bootstrap(engine, AD, "admin2@example.no")
    update_user(other, admin.id or 0, change, reason="overlevering", engine=engine)
    assert rows(engine, AuditEvent, action="update") == 1


def test_a_deactivated_or_changed_account_takes_effect_at_once(engine: Engine) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    user = bootstrap(engine, OP, "ola@example.no")
    with Session(engine) as session:
        assert current_actor_of(session, user.id or 0) == user
    update_user(admin, user.id or 0, UserUpdate(role=Role.STEERING), reason="ny", engine=engine)
    with Session(engine) as session:
        now = current_actor_of(session, user.id or 0)
        assert now is not None and now.role == ST
    update_user(admin, user.id or 0, UserUpdate(active=False), reason="slutt", engine=engine)
    with Session(engine) as session:
        assert current_actor_of(session, user.id or 0) is None


def test_oidc_identities_get_their_account_or_the_setting_for_strangers(engine: Engine) -> None:
    known = bootstrap(engine, OP, "kari@etat.no")
    found = identity_actor("Kari@Etat.no", unknown="none", engine=engine)
    assert found == known
    assert identity_actor("ny@kommune.no", unknown="none", engine=engine) is None
    stranger = identity_actor("ny@kommune.no", unknown="partner", engine=engine)
    assert stranger == Actor(id=None, email="ny@kommune.no", role=PA)
    assert identity_actor(None, unknown="partner", engine=engine) is None
    admin = bootstrap(engine, AD, "admin@example.no")
    update_user(admin, known.id or 0, UserUpdate(active=False), reason="slutt", engine=engine)
    assert identity_actor("kari@etat.no", unknown="partner", engine=engine) is None
    assert rows(engine, AuditEvent, action="sign_in") == 2
    assert rows(engine, AuditEvent, action="sign_in_refused") == 3


def test_audit_trail_filters_by_who_what_and_when(engine: Engine) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    target = bootstrap(engine, OP, "ola@example.no")
    update_user(admin, target.id or 0, UserUpdate(name="Ola N."), reason="navn", engine=engine)
    with pytest.raises(PermissionDenied):
        user_table(target, engine=engine)
    today = dt.datetime.now(dt.UTC).date()
    everything = audit_trail(admin, AuditFilter(), engine=engine)
    assert list(everything["action"]) == ["refused", "update"]  # newest first
    by_who = audit_trail(admin, AuditFilter(actor_email="ola@example.no"), engine=engine)
    assert list(by_who["action"]) == ["refused"]
    updates = audit_trail(admin, AuditFilter(action="update", entity="user"), engine=engine)
    assert updates["before"][0]["name"] == "ola" and updates["after"][0]["name"] == "Ola N."
    same_day = AuditFilter(since=today, until=today)
    assert len(audit_trail(admin, same_day, engine=engine)) == 2
    tomorrow = today + dt.timedelta(days=1)
    assert audit_trail(admin, AuditFilter(since=tomorrow), engine=engine).empty
    assert audit_trail(admin, AuditFilter(until=today - dt.timedelta(days=1)), engine=engine).empty
    facets = audit_facets(admin, engine=engine)
    assert facets["actor_email"] == ["admin@example.no", "ola@example.no"]
    assert facets["action"] == ["refused", "update"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE auditevent SET reason = 'skjult'", "DELETE FROM auditevent"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_edit_or_delete_audit_rows(engine: Engine, statement: str) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    update_user(admin, admin.id or 0, UserUpdate(name="A"), reason="original", engine=engine)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.text(statement))
    with Session(engine) as session:
        reasons = session.exec(select(AuditEvent.reason)).all()
    assert reasons == ["original"]
