"""Each role gets exactly its rights, enforced in the service layer, and every change is audited."""

import datetime as dt
import random
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.missions import role_in
from dashboard.services.permissions import ANONYMOUS, Action, Actor, PermissionDenied, allowed
from dashboard.services.users import (
    MAX_FAILURES,
    SignInFailed,
    WeakPassword,
    authenticate,
    change_own_password,
    create_user,
    reset_password,
    update_user,
)
from dashboard.settings import get_settings
from models import AuditEvent, Mission, MissionRole, Role, User, UserCreate, UserUpdate

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


def bootstrap(
    engine: Engine, role: Role, email: str, password: str | None = None, *, mission: str = ""
) -> Actor:
    """A user inserted directly (as a deployment's first admin would be) with role in the
    mission with key mission (default: the installation's; made if missing), and its actor
    there."""
    from dashboard.services.users import HASHER

    key = mission or get_settings().mission_key
    with session_scope(write=True, engine=engine) as session:
        found = session.exec(select(Mission).where(Mission.key == key)).first()
        if found is None:
            found = Mission(key=key, title=key)
            session.add(found)
            session.flush()
        user = User(
            email=email,
            name=email.split("@")[0],
            password_hash=HASHER.hash(password) if password else None,
        )
        session.add(user)
        session.flush()
        assert user.id is not None and found.id is not None
        session.add(MissionRole(user_id=user.id, mission_id=found.id, role=role))
        return Actor(id=user.id, email=email, role=role, mission_id=found.id)


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
            before = {
                k: role_in(session, user, admin.mission_id) if k == "role" else getattr(user, k)
                for k in change
            }
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


def _lock_state(engine: Engine, email: str) -> tuple[int, object]:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return user.failed_logins, user.locked_until


def _set_locked_until(engine: Engine, email: str, until: dt.datetime) -> None:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        user.locked_until = until
        session.add(user)
        session.commit()


def test_attempts_on_a_locked_account_do_not_extend_the_lock(engine: Engine) -> None:
    bootstrap(engine, AD, "admin@example.no", password="riktig-passord-123")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "feil", engine=engine)
    locked = _lock_state(engine, "admin@example.no")
    assert locked[0] == 5 and locked[1] is not None
    for _ in range(8):  # somebody keeps trying: the lock stays what it was
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "feil", engine=engine)
    assert _lock_state(engine, "admin@example.no") == locked


def test_a_lock_that_has_run_out_starts_the_count_afresh(engine: Engine) -> None:
    bootstrap(engine, AD, "admin@example.no", password="riktig-passord-123")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "feil", engine=engine)
    _set_locked_until(engine, "admin@example.no", dt.datetime.now(dt.UTC) - dt.timedelta(1))
    with pytest.raises(SignInFailed):  # one wrong password after the lock: not locked again
        authenticate("admin@example.no", "feil", engine=engine)
    assert _lock_state(engine, "admin@example.no") == (1, None)
    assert authenticate("admin@example.no", "riktig-passord-123", engine=engine).role == AD
    assert _lock_state(engine, "admin@example.no") == (0, None)
    # and a lock that ran out with nobody trying lets the right password in at once
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "feil", engine=engine)
    _set_locked_until(engine, "admin@example.no", dt.datetime.now(dt.UTC) - dt.timedelta(1))
    assert authenticate("admin@example.no", "riktig-passord-123", engine=engine).role == AD
    assert _lock_state(engine, "admin@example.no") == (0, None)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_backs_off_per_client_and_forgets() -> None:
    from dashboard.services import throttle as th

    clock = FakeClock()
    throttle = th.Throttle(clock)
    for _ in range(th.FREE_FAILURES - 1):
        assert throttle.attempt("a") == 0
        assert throttle.wait("a") == 0
    waits = []
    for _ in range(8):
        assert throttle.attempt("a") == 0
        waits.append(throttle.wait("a"))
        clock.now += waits[-1]
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]  # doubling, up to MAX_WAIT
    assert throttle.wait("b") == 0  # another client is not held up
    assert throttle.attempt("a") == 0
    clock.now += 59
    assert throttle.attempt("a") == 1  # refused, and not counted: the wait stays
    assert throttle.wait("a") == 1
    clock.now += th.FORGET_AFTER
    assert throttle.wait("a") == 0
    assert throttle.attempt("a") == 0
    assert throttle.wait("a") == 0  # forgotten: counting afresh
    for _ in range(th.FREE_FAILURES):
        throttle.attempt("c")
    throttle.succeeded("c")
    assert throttle.wait("c") == 0


def test_simultaneous_attempts_cannot_all_pass_the_throttle() -> None:
    # the check came before Argon2 and the failure was counted after a write: 20 attempts at
    # once from one client were all checked
    import threading

    from dashboard.services import throttle as th

    throttle = th.Throttle()
    start = threading.Barrier(50)
    passed: list[float] = []

    def knock() -> None:
        start.wait()
        passed.append(throttle.attempt("ip:192.0.2.9"))

    threads = [threading.Thread(target=knock) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert passed.count(0.0) == th.FREE_FAILURES
    assert all(0 < wait <= th.FIRST_WAIT for wait in passed if wait)


def test_simultaneous_sign_ins_from_one_client_are_throttled(engine: Engine) -> None:
    import threading

    from dashboard.services.throttle import FREE_FAILURES, Throttle
    from dashboard.services.users import TooManyAttempts

    bootstrap(engine, AD, "admin@example.no", password="riktig-passord-123")
    throttle = Throttle()
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def sign_in() -> None:
        start.wait()
        try:
            authenticate(
                "admin@example.no", "feil", client="ip:192.0.2.1", throttle=throttle, engine=engine
            )
        except (SignInFailed, TooManyAttempts) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=sign_in) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["SignInFailed"] * FREE_FAILURES + ["TooManyAttempts"] * (
        20 - FREE_FAILURES
    )
    assert _lock_state(engine, "admin@example.no")[0] == FREE_FAILURES


def test_the_throttle_keeps_a_bounded_number_of_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.services import throttle as th

    monkeypatch.setattr(th, "MAX_CLIENTS", 100)
    throttle = th.Throttle(FakeClock())
    for n in range(1000):
        throttle.attempt(f"ip:{n}")
    assert len(throttle._clients) == 100


def test_sign_in_is_throttled_per_client_before_anything_is_checked(engine: Engine) -> None:
    from dashboard.services.throttle import FREE_FAILURES, Throttle
    from dashboard.services.users import TooManyAttempts

    bootstrap(engine, OP, "kari@example.no", password="riktig-passord-123")
    clock = FakeClock()
    throttle = Throttle(clock)
    for email in ("ukjent@example.no", "kari@example.no", "ukjent2@example.no")[:FREE_FAILURES]:
        with pytest.raises(SignInFailed):
            authenticate(email, "feil", client="ip:192.0.2.1", throttle=throttle, engine=engine)
    audited = rows(engine, AuditEvent, action="sign_in_failed")
    with pytest.raises(TooManyAttempts) as held:  # even with the right password
        authenticate(
            "kari@example.no",
            "riktig-passord-123",
            client="ip:192.0.2.1",
            throttle=throttle,
            engine=engine,
        )
    assert held.value.retry_after == 2
    assert rows(engine, AuditEvent, action="sign_in_failed") == audited  # nothing written
    assert _lock_state(engine, "kari@example.no")[0] == 1
    other = authenticate(  # another client signs in as usual
        "kari@example.no",
        "riktig-passord-123",
        client="ip:198.51.100.7",
        throttle=throttle,
        engine=engine,
    )
    assert other.email == "kari@example.no"
    clock.now += 2
    assert authenticate(
        "kari@example.no",
        "riktig-passord-123",
        client="ip:192.0.2.1",
        throttle=throttle,
        engine=engine,
    )
    assert throttle.wait("ip:192.0.2.1") == 0  # a success forgets the failures


@pytest.mark.parametrize(
    "email", ["x" * 1_000_000 + "@example.no", "kari@example.no\x00", "a\x1b[31m@example.no"]
)
def test_an_anonymous_sign_in_attempt_writes_a_small_audit_row(engine: Engine, email: str) -> None:
    # a 1 MB e-mail went into the append-only audit log as typed (and NUL failed on PostgreSQL)
    bootstrap(engine, OP, "kari@example.no", password="riktig-passord-123")
    with pytest.raises(SignInFailed):
        authenticate(email, "riktig-passord-123", engine=engine)
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).one()
    assert event.actor_email is not None and len(event.actor_email) <= 254
    assert "\x00" not in event.actor_email and "\x1b" not in event.actor_email
    assert _lock_state(engine, "kari@example.no")[0] == 0  # no account was matched


def test_every_audited_text_is_bounded(engine: Engine) -> None:
    from dashboard.services import audit

    long = "y" * 50_000
    with session_scope(write=True, engine=engine) as session:
        audit.record(
            session,
            Actor(None, "z" * 5000, PA),
            "a" * 500,
            "e" * 500,
            "i" * 500,
            before={"note": long, "list": [long, {"deep": long + "\x00"}]},
            after={"note": "kort\x00", "name": "\u202eevil\u200b", "c1": "a\x85b"},
            reason=long,
        )
    with Session(engine) as session:
        event = session.exec(select(AuditEvent)).one()
    assert event.actor_email is not None and len(event.actor_email) == 254
    assert event.actor_email.endswith("…")
    assert len(event.action) == len(event.entity) == len(event.entity_id or "") == 60
    assert event.reason is not None and len(event.reason) == 2000
    assert event.before is not None and len(event.before["note"]) == 10_000
    assert len(event.before["list"][0]) == 10_000 and len(event.before["list"][1]["deep"]) == 10_000
    # control characters and bidirectional controls shown as U+FFFD, zero-width ones dropped
    assert event.after == {"note": "kort\ufffd", "name": "\ufffdevil", "c1": "a\ufffdb"}


def test_failing_on_from_elsewhere_cannot_keep_the_owner_s_browser_out(engine: Engine) -> None:
    # an account could be locked again right after each lock ran out (5 failures): the only
    # administrator could be kept out about 99 % of the time
    from dashboard.services.users import device_token

    owner = bootstrap(engine, AD, "admin@example.no", password="riktig-passord-123")
    authenticate("admin@example.no", "riktig-passord-123", engine=engine)
    known = device_token(owner.id or 0, engine=engine)  # the owner's browser keeps it
    assert known is not None
    for _ in range(MAX_FAILURES):  # somebody else, from a browser that never signed in
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "gjett", engine=engine)
    locked = _lock_state(engine, "admin@example.no")
    assert locked[1] is not None
    with pytest.raises(SignInFailed):  # a new browser gets the one answer, right password or not
        authenticate("admin@example.no", "riktig-passord-123", engine=engine)
    for _ in range(3):  # the owner mistyping does not count towards (or extend) a lock
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "feil", device=known, engine=engine)
    actor = authenticate("admin@example.no", "riktig-passord-123", device=known, engine=engine)
    assert actor.id == owner.id
    assert _lock_state(engine, "admin@example.no") == locked  # still locked for the others
    with pytest.raises(SignInFailed):
        authenticate("admin@example.no", "riktig-passord-123", engine=engine)
    audited = rows(engine, AuditEvent, action="sign_in")
    assert audited == 2


def test_only_a_token_for_this_account_and_its_current_password_is_a_known_browser(
    engine: Engine,
) -> None:
    from dashboard.services.users import device_token

    admin = bootstrap(engine, AD, "admin@example.no", password="riktig-passord-123")
    other = bootstrap(engine, OP, "kari@example.no", password="karis-passord-123")
    theirs = device_token(other.id or 0, engine=engine)
    mine = device_token(admin.id or 0, engine=engine)
    assert theirs and mine and theirs != mine
    nonce = mine.partition(".")[0]
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "gjett", engine=engine)
    for wrong in (theirs, f"{nonce}.{'0' * 64}", f"{nonce}.", ".", "x" * 10_000, ""):
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "riktig-passord-123", device=wrong, engine=engine)
    new = reset_password(admin, admin.id or 0, engine=engine)  # a new password voids it
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInFailed):
            authenticate("admin@example.no", "gjett", engine=engine)
    with pytest.raises(SignInFailed):
        authenticate("admin@example.no", new, device=mine, engine=engine)
    assert device_token(admin.id or 0, engine=engine) != mine
