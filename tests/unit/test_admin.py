"""Administration services: user accounts, the readable audit trail, OIDC identities."""

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_permissions import AD, OP, PA, ST, bootstrap, rows

from dashboard.db import session_scope
from dashboard.i18n.validation import describe
from dashboard.services.audit_view import AuditFilter, audit_facets, audit_trail
from dashboard.services.commands import command
from dashboard.services.missions import DuplicateMission, create_mission, role_in, set_role
from dashboard.services.permissions import ANONYMOUS, Action, Actor, PermissionDenied
from dashboard.services.users import (
    DuplicateEmail,
    LastAdmin,
    SharedAccount,
    actor_in,
    create_user,
    current_actor_of,
    identity_actor,
    reset_password,
    update_user,
    user_table,
)
from models import (
    AuditEvent,
    Mission,
    MissionCreate,
    MissionRole,
    Role,
    User,
    UserCreate,
    UserUpdate,
)

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
        assert user is not None and user.active
        assert role_in(session, user, admin.mission_id) == Role.ADMIN
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


# --- several missions: roles, the last secretariat and the audit log per mission ---------------


def global_admin(engine: Engine, email: str = "global@example.no") -> Actor:
    """The global administrator (no role of their own anywhere), as they act in the default
    mission."""
    with session_scope(write=True, engine=engine) as session:
        user = User(email=email, name="Global", global_admin=True)
        session.add(user)
        session.flush()
        return actor_in(session, user)


def mission_id(engine: Engine, key: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Mission.id).where(Mission.key == key)).one()
        assert found is not None
        return found


def role_of(engine: Engine, user_id: int | None, mission: int | None) -> Role:
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return role_in(session, user, mission)


def test_a_secretariat_sees_only_its_own_missions_audit_rows(engine: Engine) -> None:
    ann = bootstrap(engine, AD, "ann@example.no")
    bob = bootstrap(engine, AD, "bob@example.no", mission="mission-b")
    ola = bootstrap(engine, OP, "ola@example.no")
    update_user(ann, ola.id or 0, UserUpdate(name="Ola A"), reason="i A", engine=engine)
    update_user(bob, ola.id or 0, UserUpdate(role=OP), reason="i B", engine=engine)
    with pytest.raises(PermissionDenied):
        user_table(ola, engine=engine)  # a refusal in A
    authenticate_once = identity_actor("ola@example.no", unknown="none", engine=engine)
    assert authenticate_once is not None  # a sign-in: the installation's, not mission A's
    seen_by_ann = audit_trail(ann, AuditFilter(), engine=engine)
    assert list(seen_by_ann["reason"].fillna("")) == ["", "i A"]
    assert set(seen_by_ann["action"]) == {"refused", "update"}
    assert audit_facets(ann, engine=engine)["actor_email"] == ["ann@example.no", "ola@example.no"]
    seen_by_bob = audit_trail(bob, AuditFilter(), engine=engine)
    assert list(seen_by_bob["reason"]) == ["i B"]
    assert audit_facets(bob, engine=engine)["actor_email"] == ["bob@example.no"]
    assert audit_trail(bob, AuditFilter(actor_email="ann@example.no"), engine=engine).empty
    # the global administrator sees mission A's rows, the sign-in and the missions created
    boss = global_admin(engine)
    created = create_mission(boss, MissionCreate(key="mission-c", title="C"), engine=engine)
    seen_by_boss = audit_trail(boss, AuditFilter(), engine=engine)
    assert list(seen_by_boss["action"]) == ["create", "sign_in", "refused", "update"]
    assert seen_by_boss["entity_id"].iloc[0] == str(created)
    assert "i B" not in set(seen_by_boss["reason"])


def test_a_secretariat_cannot_change_roles_in_another_mission(engine: Engine) -> None:
    ann = bootstrap(engine, AD, "ann@example.no")
    bootstrap(engine, AD, "bob@example.no", mission="mission-b")
    ola = bootstrap(engine, OP, "ola@example.no", mission="mission-b")
    other = mission_id(engine, "mission-b")
    # A's secretariat writing B's role row in its own command: the mission guard refuses
    with (
        pytest.raises(PermissionDenied),
        command(ann, Action.MANAGE_USERS, engine=engine) as session,
    ):
        set_role(session, ola.id or 0, other, Role.ADMIN)
    assert role_of(engine, ola.id, other) == OP
    assert rows(engine, AuditEvent, action="refused", entity="manage_users") == 1
    # acting in B, Ann is only a partner there: no user management
    with Session(engine) as session:
        user = session.get(User, ann.id)
        assert user is not None
        ann_in_b = actor_in(session, user, other)
    assert ann_in_b.role == PA
    with pytest.raises(PermissionDenied):
        update_user(ann_in_b, ola.id or 0, UserUpdate(role=AD), reason="kupp", engine=engine)
    # in A she gives Ola (an account of B) a role in A, and B's role stays
    update_user(ann, ola.id or 0, UserUpdate(role=ST), reason="ny i A", engine=engine)
    assert role_of(engine, ola.id, ann.mission_id) == ST
    assert role_of(engine, ola.id, other) == OP
    assert user_table(ann, engine=engine).set_index("email")["role"]["ola@example.no"] == "steering"


def test_a_partner_of_a_mission_has_that_role_there(engine: Engine) -> None:
    ann = bootstrap(engine, AD, "ann@example.no")
    ola = bootstrap(engine, OP, "ola@example.no")
    created = create_user(ann, UserCreate(email="kari@example.no", name="Kari"), engine=engine)
    update_user(ann, ola.id or 0, UserUpdate(role=PA), reason="sluttet", engine=engine)
    with Session(engine) as session:
        held = session.exec(select(MissionRole.user_id, MissionRole.role)).all()
    assert sorted(held) == [(ann.id, AD), (ola.id, PA), (created, PA)]
    assert role_of(engine, ola.id, ann.mission_id) == PA
    assert role_of(engine, created, ann.mission_id) == PA
    # the global administrator keeps a partner's row: without one they are the secretariat
    boss = global_admin(engine)
    update_user(ann, boss.id or 0, UserUpdate(role=PA), reason="bare lese", engine=engine)
    assert role_of(engine, boss.id, ann.mission_id) == PA


def test_the_last_secretariat_is_kept_per_mission(engine: Engine) -> None:
    ann = bootstrap(engine, AD, "ann@example.no")
    bob = bootstrap(engine, AD, "bob@example.no", mission="mission-b")
    other = mission_id(engine, "mission-b")
    # B's secretariat does not keep A's: Ann is A's only one
    with pytest.raises(LastAdmin):
        update_user(ann, ann.id or 0, UserUpdate(role=OP), reason="bytte", engine=engine)
    assert role_of(engine, ann.id, ann.mission_id) == AD
    # Ann may not deactivate Bob either: his account is B's too (and B would have no secretariat)
    update_user(ann, bob.id or 0, UserUpdate(role=OP), reason="også i A", engine=engine)
    with pytest.raises(SharedAccount):
        update_user(ann, bob.id or 0, UserUpdate(active=False), reason="slutt", engine=engine)
    with pytest.raises(LastAdmin):  # nor Ann herself, A's only secretariat
        update_user(ann, ann.id or 0, UserUpdate(active=False), reason="slutt", engine=engine)
    assert role_of(engine, bob.id, other) == AD
    assert role_of(engine, bob.id, ann.mission_id) == OP
    # the global administrator counts where they have no other role...
    boss = global_admin(engine)
    update_user(ann, ann.id or 0, UserUpdate(role=OP), reason="global finnes", engine=engine)
    assert role_of(engine, ann.id, ann.mission_id) == OP
    # ...and not where they were given one
    update_user(boss, ann.id or 0, UserUpdate(role=AD), reason="tilbake", engine=engine)
    update_user(ann, boss.id or 0, UserUpdate(role=PA), reason="bare lese", engine=engine)
    with pytest.raises(LastAdmin):
        update_user(ann, ann.id or 0, UserUpdate(role=OP), reason="igjen", engine=engine)


def test_only_the_global_administrator_creates_a_mission(engine: Engine) -> None:
    ann = bootstrap(engine, AD, "ann@example.no")
    data = MissionCreate(key="klima-2030", title="Klima", short_title="Klima", horizon_year=2030)
    with pytest.raises(PermissionDenied):
        create_mission(ann, data, engine=engine)
    assert rows(engine, Mission) == 1
    assert rows(engine, AuditEvent, action="refused", entity="create_mission") == 1
    boss = global_admin(engine)
    created = create_mission(boss, data, engine=engine)
    assert role_of(engine, boss.id, created) == AD
    assert role_of(engine, ann.id, created) == PA  # A's secretariat is nobody in the new one
    with pytest.raises(DuplicateMission):
        create_mission(boss, data, engine=engine)
    assert rows(engine, Mission) == 2


@pytest.mark.parametrize("key", ["Klima", "klima 2030", "klima--2030", "-klima", "klima-", "miljø"])
def test_a_mission_key_is_lower_case_letters_digits_and_hyphens(key: str) -> None:
    with pytest.raises(ValidationError) as refused:
        MissionCreate(key=key, title="Klima")
    assert [e["type"] for e in refused.value.errors()] == ["mission_key"]
    assert "små bokstaver" in describe(refused.value, "nb")[0]


def test_an_account_shared_with_another_mission_is_changed_by_the_global_admin_only(
    engine: Engine,
) -> None:
    ann = bootstrap(engine, AD, "ann@example.no")
    bob = bootstrap(engine, AD, "bob@example.no", mission="mission-b")
    ola = bootstrap(engine, OP, "ola@example.no", mission="mission-b")
    kari = bootstrap(engine, OP, "kari@example.no")  # in A only
    update_user(ann, kari.id or 0, UserUpdate(active=False), reason="sluttet", engine=engine)
    update_user(ann, ola.id or 0, UserUpdate(role=ST), reason="ny i A", engine=engine)
    for change in (UserUpdate(active=False), UserUpdate(name="Ola Nordmann")):
        with pytest.raises(SharedAccount):  # B's operative: not A's secretariat's to change
            update_user(ann, ola.id or 0, change, reason="nei", engine=engine)
    with pytest.raises(SharedAccount):
        reset_password(ann, ola.id or 0, reason="nei", engine=engine)
    with Session(engine) as session:
        user = session.get(User, ola.id)
        assert user is not None and user.active and user.name != "Ola Nordmann"
    update_user(bob, ola.id or 0, UserUpdate(role=OP), reason="samme", engine=engine)  # a role
    boss = global_admin(engine)
    update_user(boss, ola.id or 0, UserUpdate(active=False), reason="sluttet", engine=engine)
