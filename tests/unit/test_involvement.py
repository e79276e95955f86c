"""Children's and young people's involvement in each initiative (Hart's ladder of participation):
what a valid assessment is, who may change it, the audit trail, stale forms, «ikke vurdert»
apart from «assessed: no involvement», the portfolio by rung, the status report's snapshot and
the comparison of two reports; the seeded mission has none assessed (the documents name no
mapped initiative in which the target group takes part). SQLite and PostgreSQL.

The portfolio is test_portfolio_analysis's (initiatives 1-4); the reports are
test_status_reports' world (one initiative, periods 2024 and 2025).
"""

import io

import pandas as pd
import pytest
from pydantic import ValidationError
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portfolio_analysis import Portfolio, built  # noqa: F401  (registers the fixture)
from test_status_reports import World, stored, world  # noqa: F401  (registers the fixture)

from dashboard.i18n.validation import describe
from dashboard.services.involvement import (
    ENTITY,
    NONE,
    NOT_ASSESSED,
    involvement,
    portfolio_by_rung,
    portfolio_involvement,
    save_involvement,
)
from dashboard.services.permissions import PermissionDenied
from dashboard.services.portfolio_edit import PortfolioRefused, StaleRow
from dashboard.services.snapshots.compare import compare
from dashboard.services.snapshots.rows import INITIATIVE_COLUMNS, Snapshot
from dashboard.services.status_reports import report_detail
from dashboard.ui.report_tables import Words, change_tables, initiatives_table
from dashboard.ui.review_pack import review_pdf
from models import (
    RUNGS,
    Initiative,
    InitiativeInvolvement,
    Involvement,
    InvolvementPhase,
    NoInvolvement,
    ParticipantBand,
    Role,
)


def panel(rung: int = 5, **more: object) -> Involvement:
    return Involvement.model_validate(
        {"method": "Ungdomspanel som gir råd hver måned", "rung": rung, **more}
    )


def test_an_involvement_needs_a_method_and_a_rung_on_harts_ladder() -> None:
    assert RUNGS == (1, 2, 3, 4, 5, 6, 7, 8)
    for wrong in (
        {"rung": 5},  # no method
        {"method": "  ", "rung": 5},
        {"method": "Panel"},  # no rung
        {"method": "Panel", "rung": 0},
        {"method": "Panel", "rung": 9},
        {"method": "Panel", "rung": 5, "phases": ["afterwards"]},
        {"method": "Panel", "rung": 5, "participants": "about 40"},  # a band, never a guess
        {"method": "x" * 301, "rung": 5},
    ):
        with pytest.raises(ValidationError):
            Involvement.model_validate(wrong)
    found = panel(phases=["evaluation", "design", "evaluation"], participants="tens")
    assert found.phases == [InvolvementPhase.DESIGN, InvolvementPhase.EVALUATION]
    assert found.participants == ParticipantBand.TENS
    assert panel().phases == [] and panel().participants is None  # not known stays unknown
    assert NoInvolvement().involved is False


def test_a_missing_method_or_rung_is_named_in_the_readers_language() -> None:
    with pytest.raises(ValidationError) as missing:
        Involvement.model_validate({"method": " ", "phases": []})
    assert describe(missing.value, "nb") == [
        "«Metode»: Feltet kan ikke være tomt.",
        "«Trinn på deltakelsesstigen»: Feltet må fylles ut.",
    ]
    assert describe(missing.value, "en")[1].startswith("«Rung on the ladder of participation»")


# Hart (1992), «Children's Participation: From Tokenism to Citizenship», figure 1.
HART = {
    1: "manipulation",
    2: "decoration",
    3: "tokenism",
    4: "assigned but informed",
    5: "consulted and informed",
    6: "adult-initiated, shared decisions with children",
    7: "child-initiated and directed",
    8: "child-initiated, shared decisions with adults",
}


def test_the_rungs_are_harts_in_his_order() -> None:
    from dashboard.i18n import translate

    assert tuple(HART) == RUNGS
    for rung, words in HART.items():
        name = translate("en", f"involvement.rung.{rung}").lower()
        first = words.split(",")[0].replace("child-", "").replace("-", " ")
        assert first.split()[0] in name.replace("-", " "), (rung, name)
        assert translate("nb", f"involvement.rung.{rung}") != name


def test_involvement_is_saved_changed_and_cleared_with_an_audit_trail(built: Portfolio) -> None:  # noqa: F811
    engine, one = built.engine, built.initiatives[1]
    operative, admin = built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    with Session(engine) as session:
        now = involvement(session, one)
    assert (now.row, now.level, now.seen) == (None, NOT_ASSESSED, "")
    assert save_involvement(operative, one, panel(phases=["design"]), seen="", engine=engine)
    with Session(engine) as session:
        now = involvement(session, one)
    assert now.level == 5 and now.row is not None
    assert (now.row.method, now.row.phases, now.row.assessed_by_id) == (
        "Ungdomspanel som gir råd hver måned",
        ["design"],
        operative.id,
    )
    assert not save_involvement(
        operative, one, panel(phases=["design"]), seen=now.seen, engine=engine
    )  # unchanged
    assert save_involvement(admin, one, NoInvolvement(), seen=now.seen, engine=engine)
    with Session(engine) as session:
        now = involvement(session, one)
    assert now.level == NONE  # assessed: none, which is not «ikke vurdert»
    assert now.row is not None and (now.row.method, now.row.rung, now.row.phases) == (
        None,
        None,
        [],
    )
    assert save_involvement(admin, one, None, seen=now.seen, engine=engine)  # back to not assessed
    with Session(engine) as session:
        assert involvement(session, one).level == NOT_ASSESSED
        assert session.exec(select(InitiativeInvolvement)).all() == []
    events = built.audit("initiative_involvement")
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert {e.entity_id for e in events} == {str(one)}
    assert events[0].after is not None and events[0].after["rung"] == 5
    assert events[1].before is not None and events[1].before["rung"] == 5
    assert events[1].after is not None and events[1].after["involved"] is False
    assert events[2].before is not None and events[2].before["involved"] is False


def test_a_save_over_a_colleagues_assessment_is_refused_and_names_them(built: Portfolio) -> None:  # noqa: F811
    engine, one = built.engine, built.initiatives[1]
    operative = built.actors[Role.OPERATIVE]
    save_involvement(operative, one, panel(), seen="", engine=engine)
    with pytest.raises(StaleRow) as refused:
        save_involvement(operative, one, panel(7), seen="", engine=engine)
    assert refused.value.changed_by == operative.email
    with Session(engine) as session:
        assert session.exec(select(InitiativeInvolvement)).one().rung == 5
    with pytest.raises(PortfolioRefused, match="no_initiative"):
        save_involvement(operative, 999_999, panel(), seen="", engine=engine)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_audit_log_names_an_involvement_change_in_words(lang: str) -> None:
    """The secretariat's audit log (Styring) shows the entity of each change in words, from
    audit.entity.<entity>; without one, «initiative_involvement» would show as code."""
    from dashboard.i18n import catalogue

    assert f"audit.entity.{ENTITY}" in catalogue(lang)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STEERING])
def test_only_the_secretariat_and_the_operative_group_change_involvement(
    built: Portfolio,  # noqa: F811
    role: Role,
) -> None:
    engine, one = built.engine, built.initiatives[1]
    for data in (panel(), NoInvolvement(), None):
        with pytest.raises(PermissionDenied):
            save_involvement(built.actors[role], one, data, seen="", engine=engine)
    with Session(engine) as session:
        assert session.exec(select(InitiativeInvolvement)).all() == []
    assert [e.action for e in built.audit("manage_portfolio")] == ["refused"] * 3


def test_the_portfolio_by_rung_counts_every_level_and_names_those_not_assessed(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    save_involvement(operative, built.initiatives[1], panel(6), seen="", engine=engine)
    save_involvement(operative, built.initiatives[2], panel(2), seen="", engine=engine)
    save_involvement(operative, built.initiatives[3], NoInvolvement(), seen="", engine=engine)
    with Session(engine) as session:
        frame = portfolio_involvement(session, built.mission)
        chosen = portfolio_involvement(session, built.mission, [1, 4])
    assert frame[["number", "level"]].values.tolist() == [
        [1, 6],
        [2, 2],
        [3, NONE],
        [4, NOT_ASSESSED],
    ]
    counts = dict(
        zip(portfolio_by_rung(frame)["level"], portfolio_by_rung(frame)["initiatives"], strict=True)
    )
    assert list(counts) == [NOT_ASSESSED, NONE, *RUNGS]  # the ladder's order, every rung
    assert counts == {NOT_ASSESSED: 1, NONE: 1, 1: 0, 2: 1, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0, 8: 0}
    assert chosen["number"].tolist() == [1, 4]
    assert portfolio_by_rung(chosen.iloc[0:0])["initiatives"].sum() == 0


def test_the_seeded_mission_has_no_involvement_the_documents_do_not_give(
    seeded_engine: Engine,
) -> None:
    """The documents (seeds 000, 001, 004) ask for a plan for involving children and young
    people and name involvement as a success factor (finding K), and Kronprinsparets Fond's
    rule is about the foundation's own projects; none says the target group takes part in a
    given mapped initiative, so every initiative starts «ikke vurdert»."""
    with Session(seeded_engine) as session:
        assert session.exec(select(InitiativeInvolvement)).all() == []
        [mission_id] = set(session.exec(select(Initiative.mission_id)).all())
        mission = portfolio_involvement(session, mission_id)
    assert len(mission) > 20 and set(mission["level"]) == {NOT_ASSESSED}


def involvement_of(snapshot: Snapshot) -> tuple[object, object]:
    row = snapshot.initiatives.iloc[0]
    return row["youth_involved"], row["participation_rung"]


def test_a_report_stores_the_involvement_and_the_next_shows_the_change(world: World) -> None:  # noqa: F811
    a, engine, initiative = world.actors["udir_a"], world.engine, world.initiative
    first = world.approve(world.draft("2024"))
    assert pd.isna(involvement_of(stored(world, first))[0])  # not assessed
    save_involvement(a, initiative, panel(4), seen="", engine=engine)
    second = world.approve(world.draft("2025"))
    assert involvement_of(stored(world, second)) == (True, 4)
    assert pd.isna(involvement_of(stored(world, first))[0])  # the approved one is frozen
    with Session(engine) as session:
        detail = report_detail(session, second.id or 0, include_unpublished=True)
    assert detail is not None and detail.changes is not None
    assert detail.changes.involvement.to_dict("records") == [
        {"number": 1, "name": "Satsingen", "level_a": None, "level_b": 4, "change": "assessed"}
    ]
    words = Words("nb")
    table = change_tables(detail.changes, words)["involvement.changes.title"]
    assert table.iloc[0].tolist() == [
        1,
        "Satsingen",
        "Vurdert første gang",
        "Ikke vurdert → 4. Tildelt oppgave, men informert",
    ]
    shown = initiatives_table(stored(world, second).initiatives, words)
    assert shown["Medvirkning"].tolist() == ["4"]


@pytest.mark.parametrize(
    ("lang", "levels", "heading"),
    [("nb", "Systemnivåer", "Medvirkning"), ("en", "System levels", "Involvement")],
)
def test_the_review_packs_initiatives_table_heads_involvement_in_one_word(
    world: World,  # noqa: F811
    lang: str,
    levels: str,
    heading: str,
) -> None:
    """The PDF's initiatives table has room for its involvement column's heading: a word cut
    in two («Medvirknin g») is hard to read and to search for."""
    report = world.approve(world.draft("2024"))
    with Session(world.engine) as session:
        detail = report_detail(session, report.id or 0, include_unpublished=True)
    assert detail is not None
    pdf = PdfReader(io.BytesIO(review_pdf(detail, "Oppdraget", lang)))
    lines = [line for page in pdf.pages for line in page.extract_text().splitlines()]
    [header] = [line for line in lines if levels in line]  # the initiatives table's heading row
    assert f" {heading} " in header, header


def initiatives(*rows: tuple[int, bool | None, int | None]) -> pd.DataFrame:
    records = [
        {"number": n, "name": f"Satsing {n}", "youth_involved": i, "participation_rung": r}
        for n, i, r in rows
    ]
    return pd.DataFrame([{c: r.get(c) for c in INITIATIVE_COLUMNS} for r in records])


def test_the_comparison_names_each_way_the_involvement_can_move() -> None:
    empty = pd.DataFrame()
    a = Snapshot(empty, empty, empty, empty)
    b = Snapshot(empty, empty, empty, empty)
    a.initiatives = initiatives(
        (1, True, 3), (2, True, 6), (3, None, None), (4, False, None), (5, True, 4), (6, True, 5),
        (7, False, None), (8, True, 2),
    )  # fmt: skip
    b.initiatives = initiatives(
        (1, True, 5), (2, True, 4), (3, False, None), (4, True, 7), (5, False, None),
        (6, None, None), (7, False, None), (8, True, 2), (9, True, 8),
    )  # fmt: skip
    for frame in ("goals", "indicators", "decisions"):
        setattr(a, frame, compare_ready(frame))
        setattr(b, frame, compare_ready(frame))
    changes = compare(a, b).involvement
    assert changes[["number", "level_a", "level_b", "change"]].values.tolist() == [
        [1, 3, 5, "up"],
        [2, 6, 4, "down"],
        [3, None, NONE, "assessed"],
        [4, NONE, 7, "involved"],
        [5, 4, NONE, "not_involved"],
        [6, 5, None, "not_assessed"],
    ]  # 7 and 8 stayed; 9 is new (the initiative changes say so)


def compare_ready(frame: str) -> pd.DataFrame:
    from dashboard.services.snapshots.rows import TABLES

    return pd.DataFrame(columns=TABLES[frame][1])
