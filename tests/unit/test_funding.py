"""Funding streams (Halogen's model, seed 001) and the learning log (finding H) per initiative:
who may change them, validation, the audit trail, stale forms, the periods an entry belongs to,
the portfolio by stream, both in the status report's snapshot and the comparison, and the seed
(only what the documents say). SQLite and PostgreSQL.

The portfolio is test_portfolio_analysis's (initiatives 1-4, Udir and NAV); the status reports
are test_status_reports's (one initiative, periods 2024 and 2025).
"""

import datetime as dt
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portfolio_analysis import Portfolio, built  # noqa: F401  (registers the fixture)
from test_status_reports import TODAY, World, stored, world  # noqa: F401  (registers the fixture)

from dashboard.db import session_scope
from dashboard.services.funding import (
    add_stream,
    delete_stream,
    initiative_streams,
    portfolio_by_stream,
    update_stream,
)
from dashboard.services.learning import (
    add_entry,
    delete_entry,
    initiative_entries,
    period_entries,
    periods_of,
    update_entry,
)
from dashboard.services.permissions import PermissionDenied
from dashboard.services.portfolio_edit import PortfolioRefused, StaleRow
from dashboard.services.snapshots.compare import compare
from dashboard.services.status_reports import report_detail
from models import (
    FundingInput,
    FundingState,
    FundingStream,
    Initiative,
    InitiativeFunding,
    LearningEntry,
    LearningInput,
    LearningShare,
    Organisation,
    Period,
    PeriodKind,
    Role,
)
from seed.loader import DATA

STATE = FundingStream.STATE_BUDGET
GRANT = FundingStream.GRANT_SCHEME
ALLOCATED, APPLIED = FundingState.ALLOCATED, FundingState.APPLIED_FOR


def org(engine: Engine, key: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Organisation.id).where(Organisation.key == key)).one() or 0


def entry(
    text: str = "Felles kartlegging sparer tid", day: dt.date = dt.date(2025, 3, 1), **kw: Any
) -> LearningInput:
    return LearningInput(learnt=text, learnt_on=day, **kw)


# --- funding streams ---------------------------------------------------------------------------


def test_streams_are_added_changed_and_removed_with_an_audit_trail(built: Portfolio) -> None:  # noqa: F811
    engine, operative, admin = built.engine, built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    one, nav = built.initiatives[1], org(built.engine, "NAV")
    with Session(engine) as session:
        assert initiative_streams(session, one) == []  # ikke vurdert
    grant = add_stream(
        operative, one, FundingInput(stream=GRANT, state=APPLIED, funder_id=nav), engine=engine
    )
    add_stream(admin, one, FundingInput(stream=STATE, state=ALLOCATED), engine=engine)
    with Session(engine) as session:
        shown = initiative_streams(session, one)
    assert [(s.stream, s.state, s.funder) for s in shown] == [
        ("state_budget", "allocated", None),  # the model's order: the state budget first
        ("grant_scheme", "applied_for", "NAV"),
    ]
    changed = FundingInput(stream=GRANT, state=ALLOCATED, funder_id=nav, note="Innvilget")
    assert update_stream(admin, grant, changed, version=1, engine=engine)
    assert not update_stream(admin, grant, changed, version=2, engine=engine)  # unchanged
    delete_stream(operative, grant, version=2, engine=engine)
    events = built.audit("initiative_funding")
    assert [e.action for e in events] == ["create", "create", "update", "delete"]
    assert events[2].before is not None and events[2].before["state"] == "applied_for"
    assert events[2].after is not None and events[2].after["note"] == "Innvilget"
    assert events[3].before is not None and events[3].before["funder_id"] == nav


def test_a_stream_is_validated_and_refused_when_it_repeats_or_its_funder_is_gone(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative, one = built.engine, built.actors[Role.OPERATIVE], built.initiatives[1]
    for wrong in (
        {"stream": "lottery", "state": "allocated"},
        {"stream": "grant_scheme", "state": "promised"},
        {"stream": "grant_scheme"},
        {"stream": "other", "state": "allocated", "note": "x" * 301},
        {"stream": "other", "state": "allocated", "note": "null\x00byte"},
    ):
        with pytest.raises(ValidationError):
            FundingInput.model_validate(wrong)
    add_stream(operative, one, FundingInput(stream=GRANT, state=APPLIED), engine=engine)
    with pytest.raises(PortfolioRefused, match="duplicate_stream"):
        add_stream(operative, one, FundingInput(stream=GRANT, state=APPLIED), engine=engine)
    with pytest.raises(PortfolioRefused, match="no_funder"):
        add_stream(
            operative,
            one,
            FundingInput(stream=GRANT, state=APPLIED, funder_id=99999),
            engine=engine,
        )
    with pytest.raises(PortfolioRefused, match="no_initiative"):
        add_stream(operative, 99999, FundingInput(stream=GRANT, state=APPLIED), engine=engine)
    with Session(engine) as session:
        assert len(session.exec(select(InitiativeFunding)).all()) == 1


def test_a_save_over_a_colleagues_change_of_a_stream_is_refused_and_names_them(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative, admin = built.engine, built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    row = add_stream(
        operative, built.initiatives[1], FundingInput(stream=GRANT, state=APPLIED), engine=engine
    )
    update_stream(admin, row, FundingInput(stream=GRANT, state=ALLOCATED), version=1, engine=engine)
    with pytest.raises(StaleRow) as refused:  # the operative's form still shows version 1
        update_stream(
            operative, row, FundingInput(stream=STATE, state=ALLOCATED), version=1, engine=engine
        )
    assert refused.value.changed_by == admin.email
    with pytest.raises(StaleRow):
        delete_stream(operative, row, version=1, engine=engine)
    with Session(engine) as session:
        assert session.exec(select(InitiativeFunding.state)).one() == "allocated"


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STEERING])
def test_only_the_operative_group_and_the_secretariat_change_funding_and_the_log(
    built: Portfolio,  # noqa: F811
    role: Role,
) -> None:
    engine, actor, one = built.engine, built.actors[role], built.initiatives[1]
    operative = built.actors[Role.OPERATIVE]
    row = add_stream(operative, one, FundingInput(stream=GRANT, state=APPLIED), engine=engine)
    logged = add_entry(operative, one, entry(), engine=engine)
    attempts = [
        lambda: add_stream(actor, one, FundingInput(stream=STATE, state=ALLOCATED), engine=engine),
        lambda: update_stream(
            actor, row, FundingInput(stream=STATE, state=ALLOCATED), version=1, engine=engine
        ),
        lambda: delete_stream(actor, row, version=1, engine=engine),
        lambda: add_entry(actor, one, entry("Noe annet"), engine=engine),
        lambda: update_entry(actor, logged, entry("Endret"), version=1, engine=engine),
        lambda: delete_entry(actor, logged, version=1, engine=engine),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    with Session(engine) as session:
        assert [r.stream for r in session.exec(select(InitiativeFunding))] == ["grant_scheme"]
        assert [e.learnt for e in session.exec(select(LearningEntry))] == [
            "Felles kartlegging sparer tid"
        ]
    refused = [e for e in built.audit("manage_portfolio") if e.action == "refused"]
    assert len(refused) == len(attempts)  # every refusal is in the audit log


def test_the_portfolio_by_stream_counts_allocated_and_applied_and_names_the_rest(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    one, two = built.initiatives[1], built.initiatives[2]
    add_stream(operative, one, FundingInput(stream=STATE, state=ALLOCATED), engine=engine)
    add_stream(operative, one, FundingInput(stream=GRANT, state=APPLIED), engine=engine)
    nav = org(engine, "NAV")
    add_stream(
        operative, one, FundingInput(stream=GRANT, state=APPLIED, funder_id=nav), engine=engine
    )  # the same stream and state from another funder: initiative 1 still counts once
    add_stream(operative, two, FundingInput(stream=GRANT, state=ALLOCATED), engine=engine)
    with Session(engine) as session:
        counts, missing = portfolio_by_stream(session, built.mission)
        chosen, chosen_missing = portfolio_by_stream(session, built.mission, [2, 3])
    rows = {r["stream"]: (r["allocated"], r["applied_for"]) for r in counts.to_dict("records")}
    assert rows["state_budget"] == (1, 0)
    assert rows["grant_scheme"] == (1, 1)
    assert rows["foundation_funds"] == (0, 0)
    assert list(rows) == [s.value for s in FundingStream]
    assert missing["number"].tolist() == [3, 4]
    chosen_rows = {r["stream"]: r["allocated"] for r in chosen.to_dict("records")}
    assert chosen_rows["state_budget"] == 0 and chosen_rows["grant_scheme"] == 1
    assert chosen_missing["number"].tolist() == [3]


# --- the learning log --------------------------------------------------------------------------


def test_learning_entries_are_written_changed_and_deleted_with_an_audit_trail(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative, admin = built.engine, built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    one, nav, udir = built.initiatives[1], org(built.engine, "NAV"), org(built.engine, "Udir")
    first = add_entry(
        operative,
        one,
        entry(shared_with="Nettverket for 0-24", organisation_ids=[nav, nav]),
        engine=engine,
    )
    second = add_entry(
        admin, one, entry("Ungdomsrådet bør med fra start", dt.date(2025, 6, 1)), engine=engine
    )
    with Session(engine) as session:
        shown = initiative_entries(session, one, internal=True)
    assert [e.id for e in shown] == [second, first]  # newest first
    assert (shown[1].organisations, shown[1].shared_with) == (["NAV"], "Nettverket for 0-24")
    assert shown[1].recorded_by == operative.email
    changed = entry(shared_with=None, organisation_ids=[udir, nav])
    assert update_entry(admin, first, changed, version=1, engine=engine)
    assert not update_entry(admin, first, changed, version=2, engine=engine)
    with pytest.raises(StaleRow) as refused:
        update_entry(operative, first, entry("Noe annet"), version=1, engine=engine)
    assert refused.value.changed_by == admin.email
    delete_entry(operative, first, version=2, engine=engine)
    with Session(engine) as session:
        assert session.exec(select(LearningShare)).all() == []
        assert [e.id for e in session.exec(select(LearningEntry))] == [second]
    events = built.audit("learning_entry")
    assert [e.action for e in events] == ["create", "create", "update", "delete"]
    assert events[0].after is not None and events[0].after["organisation_ids"] == [nav]
    assert events[2].after is not None and sorted(events[2].after["organisation_ids"]) == sorted(
        [udir, nav]
    )
    assert events[3].before is not None and events[3].before["learnt"] == entry().learnt


def test_who_wrote_an_entry_is_an_e_mail_for_internal_readers_only(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    add_entry(operative, built.initiatives[1], entry(), engine=engine)
    with Session(engine) as session:
        [inside] = initiative_entries(session, built.initiatives[1], internal=True)
        [outside] = initiative_entries(session, built.initiatives[1], internal=False)
    assert inside.recorded_by == operative.email
    # partners and visitors read the account's role (and organisation), not a person's address
    assert outside.recorded_by is None
    assert (outside.recorder_role, outside.recorder_org) == (inside.recorder_role, "Udir")
    assert outside.recorder_role == Role.OPERATIVE


def test_a_learning_entry_is_validated() -> None:
    for wrong in (
        {"learnt": "", "learnt_on": "2025-01-01"},
        {"learnt": "   ", "learnt_on": "2025-01-01"},
        {"learnt": "x" * 2001, "learnt_on": "2025-01-01"},
        {"learnt": "Noe", "learnt_on": "i fjor"},
        {"learnt": "Noe"},
        {"learnt": "Noe", "learnt_on": "2025-01-01", "shared_with": "y" * 501},
        {"learnt": "Noe\u202e", "learnt_on": "2025-01-01"},
    ):
        with pytest.raises(ValidationError):
            LearningInput.model_validate(wrong)


def test_an_entry_with_an_unknown_organisation_or_initiative_is_refused(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    with pytest.raises(PortfolioRefused, match="no_organisation"):
        add_entry(operative, built.initiatives[1], entry(organisation_ids=[99999]), engine=engine)
    with pytest.raises(PortfolioRefused, match="no_initiative"):
        add_entry(operative, 99999, entry(), engine=engine)
    with Session(engine) as session:
        assert session.exec(select(LearningEntry)).all() == []


def test_an_entry_belongs_to_every_period_its_date_falls_in(built: Portfolio) -> None:  # noqa: F811
    engine, operative, one = built.engine, built.actors[Role.OPERATIVE], built.initiatives[1]
    with session_scope(write=True, engine=engine) as session:
        session.add_all(
            [
                Period(
                    mission_id=built.mission,
                    label="2025",
                    start=dt.date(2025, 1, 1),
                    end=dt.date(2025, 12, 31),
                ),
                Period(
                    mission_id=built.mission,
                    label="2025-Q1",
                    kind=PeriodKind.QUARTERLY,
                    start=dt.date(2025, 1, 1),
                    end=dt.date(2025, 3, 31),
                ),
                Period(
                    mission_id=built.mission,
                    label="2026",
                    start=dt.date(2026, 1, 1),
                    end=dt.date(2026, 12, 31),
                ),
            ]
        )
    add_entry(operative, one, entry("Siste dag i kvartalet", dt.date(2025, 3, 31)), engine=engine)
    add_entry(operative, one, entry("Første dag i april", dt.date(2025, 4, 1)), engine=engine)
    add_entry(operative, one, entry("Før alle perioder", dt.date(2019, 5, 1)), engine=engine)
    with Session(engine) as session:
        assert [p.label for p in periods_of(session, built.mission, dt.date(2025, 3, 31))] == [
            "2025",
            "2025-Q1",
        ]
        assert [p.label for p in periods_of(session, built.mission, dt.date(2026, 1, 1))] == [
            "2026"
        ]
        assert periods_of(session, built.mission, dt.date(2019, 5, 1)) == []
        shown = {e.learnt: e.periods for e in initiative_entries(session, one, internal=True)}
        quarter = period_entries(session, built.mission, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
        year = period_entries(session, built.mission, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert shown == {
        "Siste dag i kvartalet": ["2025", "2025-Q1"],
        "Første dag i april": ["2025"],
        "Før alle perioder": [],
    }
    assert quarter["learnt"].tolist() == ["Siste dag i kvartalet"]
    assert year["learnt"].tolist() == ["Siste dag i kvartalet", "Første dag i april"]


# --- the status report -------------------------------------------------------------------------


def test_the_report_holds_the_streams_and_its_periods_entries_and_the_next_shows_the_change(
    world: World,  # noqa: F811
) -> None:
    a, engine = world.actors["udir_a"], world.engine
    stream = add_stream(
        a, world.initiative, FundingInput(stream=GRANT, state=APPLIED), engine=engine
    )
    add_entry(a, world.initiative, entry("I 2024", dt.date(2024, 11, 1)), engine=engine)
    add_entry(a, world.initiative, entry("I 2025", dt.date(2025, 2, 1)), engine=engine)
    first = world.approve(world.draft("2024"))
    frozen = stored(world, first)
    assert frozen.funding[["number", "stream", "state"]].to_dict("records") == [
        {"number": 1, "stream": "grant_scheme", "state": "applied_for"}
    ]
    assert frozen.learning["learnt"].tolist() == ["I 2024"]  # only the period's entries

    update_stream(a, stream, FundingInput(stream=GRANT, state=ALLOCATED), version=1, engine=engine)
    following = world.draft("2025")
    assert stored(world, first).funding["state"].tolist() == ["applied_for"]  # frozen
    assert stored(world, following).learning["learnt"].tolist() == ["I 2025"]
    with Session(engine) as session:
        detail = report_detail(session, following.id or 0, include_unpublished=True)
    assert detail is not None and detail.changes is not None
    assert detail.changes.funding.to_dict("records") == [
        {
            "number": 1,
            "name": "Satsingen",
            "streams_a": ["grant_scheme|applied_for|"],
            "streams_b": ["grant_scheme|allocated|"],
        }
    ]
    same = compare(stored(world, following), stored(world, following))
    assert same.funding.empty and same.total == 0


def test_a_report_takes_a_log_shared_widely_and_a_long_funder_name(
    world: World,  # noqa: F811
) -> None:
    # An entry may be shared with every organisation (184 in the seed) and a text of 500
    # characters, and an organisation's short name may have 80: the report's copies hold at
    # most 1,000 and 60 characters, which PostgreSQL enforces, so the report must still be made.
    a, engine = world.actors["udir_a"], world.engine
    with Session(engine) as session:
        many = [
            Organisation(key=f"org{i}", short_name=f"Organisasjon nummer {i:03}", name=f"O {i}")
            for i in range(60)
        ]
        long = Organisation(key="lang", short_name="F" * 80, name="Finansiør med langt navn")
        session.add_all([*many, long])
        session.commit()
        ids = [o.id or 0 for o in many]
        funder = long.id
    wide = entry("Delt bredt", dt.date(2024, 11, 1), shared_with="x" * 500, organisation_ids=ids)
    add_entry(a, world.initiative, wide, engine=engine)
    add_stream(
        a,
        world.initiative,
        FundingInput(stream=GRANT, state=APPLIED, funder_id=funder),
        engine=engine,
    )
    report = world.draft("2024")
    frozen = stored(world, report)
    [shared] = frozen.learning["shared_with"].tolist()
    assert len(shared) <= 1000 and shared.startswith("Organisasjon nummer 000")
    assert shared.endswith("…")  # cut, and says so
    [name] = frozen.funding["funder"].tolist()
    assert len(name) <= 60 and name.endswith("…")


def test_a_change_of_funding_since_the_report_is_a_change_since_the_report(
    world: World,  # noqa: F811
) -> None:
    from dashboard.services.status_reports import since_last_report

    a, engine = world.actors["udir_a"], world.engine
    world.approve(world.draft("2024"))
    add_stream(a, world.initiative, FundingInput(stream=STATE, state=ALLOCATED), engine=engine)
    with Session(engine) as session:
        found = since_last_report(session, world.mission, TODAY, include_unpublished=False)
    assert found is not None
    assert found.changes.funding["number"].tolist() == [1]
    assert found.changes.funding["streams_a"].tolist() == [[]]


def test_a_learning_log_entry_since_the_report_leaves_the_comparison_reading_only_changes(
    world: World,  # noqa: F811
) -> None:
    # The comparison holds no learning-log entries, so writing one is no reason to take
    # every indicator and initiative afresh (as an unknown kind of change is).
    from dashboard.services.snapshots.changes import changed_since
    from models import StatusReport

    a, engine = world.actors["udir_a"], world.engine
    report = world.approve(world.draft("2024"))
    written = add_entry(a, world.initiative, entry("Etter rapporten"), engine=engine)
    update_entry(a, written, entry("Etter rapporten, rettet"), version=1, engine=engine)
    with Session(engine) as session:
        stored = session.get(StatusReport, report.id)
        assert stored is not None and stored.generated_at is not None
        changed = changed_since(session, world.mission, stored.generated_at, TODAY)
    assert changed is not None and changed.initiatives == set()


# --- the seed -----------------------------------------------------------------------------------

# The words of seed 001 (Halogen's report, after Forskningsrådet 2023) the seeded streams rest on.
DOCUMENT = (
    "Forskningsrådet forvalter midler fra ulike departementer",
    "Hvert departement spesifiserer ofte i sine tildelingsbrev hva som er viktige "
    "sektorpolitiske prioriteringer",
)


def test_the_seed_gives_only_the_streams_the_documents_give(seeded_engine: Engine) -> None:
    rows = yaml.safe_load((DATA / "funding.yaml").read_text(encoding="utf-8"))
    for row in rows:
        assert all(words in row["source"] for words in DOCUMENT), row
    with Session(seeded_engine) as session:
        found = session.exec(
            select(Initiative.number, Initiative.name, InitiativeFunding)
            .join(InitiativeFunding)
            .order_by(Initiative.number)
        ).all()
        learning = session.exec(select(LearningEntry)).all()
    # Forskningsrådet's three portfolios, and nothing else: no amounts, no funder named (the
    # document names no ministry per portfolio), and no learning exchange is documented
    assert [(n, f.stream, f.state, f.funder_id) for n, _, f in found] == [
        (n, "state_budget", "allocated", None) for n in (1, 2, 26)
    ]
    assert all(name.startswith("Portefølje") for _, name, _ in found)
    assert all("Forskningsrådet" in (f.note or "") for _, _, f in found)
    assert learning == []


def test_seeding_again_leaves_a_stream_a_person_removed(engine: Engine) -> None:
    from dashboard.services.missions import set_role
    from dashboard.services.permissions import Actor
    from models import Mission, User
    from seed import load_real

    load_real(engine)
    with session_scope(write=True, engine=engine) as session:
        user = User(email="sekretariat@example.no", name="S")
        session.add(user)
        session.flush()
        mission = session.exec(select(Mission.id)).one()
        assert user.id is not None
        set_role(session, user.id, mission, Role.ADMIN)
        actor = Actor(user.id, user.email, Role.ADMIN, None, mission)
        first = session.exec(
            select(InitiativeFunding).join(Initiative).where(Initiative.number == 1)
        ).one()
        row_id = first.id or 0
    delete_stream(actor, row_id, version=1, engine=engine)
    load_real(engine)
    with Session(engine) as session:
        numbers = session.exec(
            select(Initiative.number).join(InitiativeFunding).order_by(Initiative.number)
        ).all()
    assert numbers == [2, 26]
