"""Each role gets exactly its rights, enforced in the service layer, and every change is audited."""

import random
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.permissions import ANONYMOUS, Action, Actor, PermissionDenied, allowed
from dashboard.services.users import (
    SignInFailed,
    WeakPassword,
    authenticate,
    change_own_password,
    create_user,
    reset_password,
    update_user,
)
from models import AuditEvent, Role, User, UserCreate, UserUpdate

PA, OP, ST, AD = Role.PARTNER, Role.OPERATIVE, Role.STEERING, Role.ADMIN
# Design section 2, written out by hand: who may do what.
EXPECTED: dict[Action, set[Role]] = {
    Action.READ_UNAPPROVED: {OP, ST, AD},
    Action.ENTER_VALUES: {OP},
    Action.APPROVE_VALUES: {OP},
    Action.DRAFT_REPORT: {OP},
    Action.APPROVE_REPORT: {ST},
    Action.OVERRIDE_GOAL_STATUS: {ST},
    Action.RECORD_DECISION: {ST},
    Action.REOPEN_PERIOD: {ST, AD},
    Action.MANAGE_USERS: {AD},
    Action.MANAGE_FRAMEWORK: {AD},
    Action.MANAGE_PORTFOLIO: {OP, AD},
    Action.MANAGE_PERIODS: {AD},
    Action.IMPORT: {AD},
    Action.READ_AUDIT: {AD},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_action_table(role: Role, action: Action) -> None:
    actor = Actor(id=1, email="x@example.no", role=role, organisation_id=7)
    assert allowed(actor, action, organisation_id=7) == (role in EXPECTED[action])


def test_entering_values_is_limited_to_ones_own_organisation() -> None:
    operative = Actor(id=1, email="o@example.no", role=OP, organisation_id=7)
    assert allowed(operative, Action.ENTER_VALUES, organisation_id=7)
    assert not allowed(operative, Action.ENTER_VALUES, organisation_id=8)
    assert not allowed(
        Actor(2, "p@example.no", OP, None), Action.ENTER_VALUES, organisation_id=None
    )


def bootstrap(engine: Engine, role: Role, email: str, password: str | None = None) -> Actor:
    """A user inserted directly (as a deployment's first admin would be), and its actor."""
    from dashboard.services.users import HASHER

    with session_scope(write=True, engine=engine) as session:
        user = User(
            email=email,
            name=email.split("@")[0],
            role=role,
            password_hash=HASHER.hash(password) if password else None,
        )
        session.add(user)
        session.flush()
        return Actor(id=user.id, email=email, role=role)


def rows(engine: Engine, model: type, **where: object) -> int:
    """How many rows of model match where."""
    with Session(engine) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


COMMANDS: dict[str, Callable[[Actor, int, Engine], object]] = {
    "create_user": lambda actor, _target, engine: create_user(
        actor, UserCreate(email="ny@example.no", name="Ny"), engine=engine
    ),
    "update_user": lambda actor, target, engine: update_user(
        actor, target, UserUpdate(role=Role.ADMIN), reason="test", engine=engine
    ),
    "reset_password": lambda actor, target, engine: reset_password(actor, target, engine=engine),
}


@pytest.mark.parametrize("role", [None, *Role])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_role_and_user_command(engine: Engine, role: Role | None, name: str) -> None:
    target = bootstrap(engine, PA, "mål@example.no")
    actor = ANONYMOUS if role is None else bootstrap(engine, role, f"{role.value}@example.no")
    before_users = [
        u.model_dump(warnings=False) for u in Session(engine).exec(select(User).order_by(User.id))
    ]
    audits = rows(engine, AuditEvent)
    if role == AD:
        COMMANDS[name](actor, target.id or 0, engine)
        assert rows(engine, AuditEvent) == audits + 1
        return
    with pytest.raises(PermissionDenied):
        COMMANDS[name](actor, target.id or 0, engine)
    after_users = [
        u.model_dump(warnings=False) for u in Session(engine).exec(select(User).order_by(User.id))
    ]
    assert after_users == before_users  # nothing changed
    assert rows(engine, AuditEvent, action="refused", entity="manage_users") == 1


def test_n_random_changes_make_exactly_n_audit_rows(engine: Engine) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    ids = [bootstrap(engine, PA, f"u{i}@example.no").id or 0 for i in range(3)]
    rng = random.Random(7)
    expected = []
    for _ in range(25):
        user_id = rng.choice(ids)
        change = rng.choice(
            [
                {"role": rng.choice(list(Role))},
                {"active": rng.random() < 0.5},
                {"name": f"N{rng.random():.3f}"},
            ]
        )
        with Session(engine) as session:
            user = session.get(User, user_id)
            assert user is not None
            before = {k: getattr(user, k) for k in change}
        update_user(admin, user_id, UserUpdate(**change), reason="tilfeldig", engine=engine)
        expected.append((str(user_id), before, change))
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id)
        ).all()
    assert len(events) == 25
    for event, (user_id, before, change) in zip(events, expected, strict=True):
        assert event.entity_id == user_id and event.reason == "tilfeldig"
        assert event.actor_email == "admin@example.no"
        for key, value in change.items():
            assert event.after is not None and event.after[key] == getattr(value, "value", value)
            assert event.before is not None
            assert event.before[key] == getattr(before[key], "value", before[key])
        assert "password_hash" not in (event.after or {})


def test_sign_in_gives_the_same_answer_for_every_failure_and_locks_out(engine: Engine) -> None:
    bootstrap(engine, OP, "kari@example.no", password="riktig-passord-123")
    actor = authenticate("Kari@Example.no ", "riktig-passord-123", engine=engine)
    assert actor.role == OP and actor.email == "kari@example.no"
    messages = set()
    for email, password in [("ukjent@example.no", "x"), ("kari@example.no", "feil")]:
        with pytest.raises(SignInFailed) as failure:
            authenticate(email, password, engine=engine)
        messages.add(str(failure.value))
    assert len(messages) == 1  # no user enumeration
    for _ in range(4):
        with pytest.raises(SignInFailed):
            authenticate("kari@example.no", "feil", engine=engine)
    with pytest.raises(SignInFailed):  # locked: even the right password is refused now
        authenticate("kari@example.no", "riktig-passord-123", engine=engine)
    assert rows(engine, AuditEvent, action="sign_in_failed") == 7  # 1 unknown + 6 for Kari


def test_reset_unlocks_and_password_change_needs_the_current_one(engine: Engine) -> None:
    admin = bootstrap(engine, AD, "admin@example.no")
    user = bootstrap(engine, OP, "ola@example.no", password="gammelt-passord-1")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate("ola@example.no", "feil", engine=engine)
    fresh = reset_password(admin, user.id or 0, engine=engine)
    assert len(fresh) >= 20
    signed_in = authenticate("ola@example.no", fresh, engine=engine)
    with pytest.raises(SignInFailed):
        change_own_password(signed_in, "feil", "nytt-passord-123", engine=engine)
    with pytest.raises(WeakPassword):
        change_own_password(signed_in, fresh, "for-kort", engine=engine)
    change_own_password(signed_in, fresh, "nytt-passord-123", engine=engine)
    assert authenticate("ola@example.no", "nytt-passord-123", engine=engine).id == user.id


@pytest.mark.parametrize(
    "password, why",
    [
        ("aaaaaaaaaaaa", "repeated"),
        ("abcabcabcabcabc", "repeated"),
        ("passwordpassword", "repeated"),
        ("123456789012", "common"),
        ("qwertyuiopasdf", "common"),
        ("passord12345", "common"),
        ("velkommen123", "common"),
        ("kari.nordmann@example.no", "personal"),
        ("karinordmann123", "personal"),
        ("Kari Nordmann 1", "personal"),
        ("kort-1", "short"),
    ],
)
def test_common_repeated_and_personal_passwords_are_refused(
    engine: Engine, password: str, why: str
) -> None:
    # 12 characters was the only check: 'aaaaaaaaaaaa' was accepted
    user = bootstrap(engine, OP, "kari.nordmann@example.no", password="gammelt-passord-1")
    with Session(engine) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        stored.name = "Kari Nordmann"
        session.add(stored)
        session.commit()
    with pytest.raises(WeakPassword) as refused:
        change_own_password(user, "gammelt-passord-1", password, engine=engine)
    assert refused.value.reason == why
    assert authenticate("kari.nordmann@example.no", "gammelt-passord-1", engine=engine)
    if why != "short":  # UserCreate itself refuses a short one
        admin = bootstrap(engine, AD, "admin@example.no")
        data = UserCreate(email="kari.n@example.no", name="Kari Nordmann", password=password)
        with pytest.raises(WeakPassword):
            create_user(admin, data, engine=engine)


def test_a_long_unusual_password_is_accepted() -> None:
    from dashboard.services.passwords import weakness

    for good in ("riktig-passord-123", "Hest batteri stift korrekt", "Bufdir-tall-i-rute-2025"):
        assert weakness(good, email="kari.nordmann@example.no", name="Kari Nordmann") is None
    assert weakness("x" * 150 + "Hest batteri stift korrekt") is not None  # only 72 are read


def test_audit_log_filters(engine: Engine) -> None:
    from dashboard.services.audit import audit_log

    admin = bootstrap(engine, AD, "admin@example.no")
    target = bootstrap(engine, PA, "p@example.no")
    update_user(admin, target.id or 0, UserUpdate(name="Per"), reason="navn", engine=engine)
    with pytest.raises(PermissionDenied):
        reset_password(target, admin.id or 0, engine=engine)
    with Session(engine) as session:
        updates = audit_log(session, action="update")
        refused = audit_log(session, actor_email="p@example.no")
        nothing = audit_log(session, entity="finnes-ikke")
    assert list(updates["reason"]) == ["navn"] and updates["after"][0]["name"] == "Per"
    assert list(refused["action"]) == ["refused"]
    assert nothing.empty


def test_no_code_updates_or_deletes_audit_rows() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("dashboard/**/*.py"), *root.glob("seed/*.py"), *root.glob("pages/*.py")]
    forbidden = re.compile(r"(update|delete)\(\s*AuditEvent|AuditEvent[^\n]*\.(delete|update)\(")
    offenders = [str(p) for p in sources if forbidden.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
