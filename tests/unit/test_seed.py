"""The real mission as seeded: what the documents say, loaded idempotently, on both backends."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from dashboard.db import make_engine
from dashboard.migrate import upgrade
from models import (
    BodyMember,
    Contribution,
    Deliverable,
    Finding,
    Goal,
    GovernanceBody,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Initiative,
    InitiativeLink,
    InitiativeOrganisation,
    MainFinding,
    Mission,
    MissionRole,
    Organisation,
    OrganisationRole,
    Period,
    StatusReport,
)
from seed import add_synthetic, load_real


def count(session: Session, model: type) -> int:
    """Number of rows of a table."""
    return session.exec(select(func.count()).select_from(model)).one()


def members(session: Session, body_key: str) -> dict[str, bool]:
    """Short name -> lead? for the members of a governance body."""
    rows = session.exec(
        select(Organisation.key, BodyMember.lead)
        .join(BodyMember, col(BodyMember.organisation_id) == Organisation.id)
        .join(GovernanceBody, col(GovernanceBody.id) == BodyMember.body_id)
        .where(GovernanceBody.key == body_key)
    ).all()
    return dict(rows)


def test_portfolio_has_the_34_mapped_initiatives(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        numbers = session.exec(select(Initiative.number).order_by(Initiative.number)).all()
    assert numbers == list(range(1, 35))


def test_0_24_cooperation_has_its_five_responsible_agencies(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        item = session.exec(select(Initiative).where(Initiative.name == "0-24-samarbeidet")).one()
        rows = session.exec(
            select(Organisation.key, InitiativeOrganisation.role)
            .join(InitiativeOrganisation)
            .where(InitiativeOrganisation.initiative_id == item.id)
        ).all()
    responsible = {k for k, role in rows if role == OrganisationRole.RESPONSIBLE}
    involved = {k for k, role in rows if role == OrganisationRole.INVOLVED}
    assert responsible == {"Udir", "Hdir", "NAV", "IMDi", "Bufdir"}
    assert involved == {"POD", "Konfliktrådet"}
    assert (item.start_year, item.end_year, item.category) == (2015, 2021, 3)
    assert item.note and "2015–2020" in item.note  # the other source's reading is kept


def test_operative_group_has_nine_members_led_by_the_research_council(
    seeded_engine: Engine,
) -> None:
    with Session(seeded_engine) as session:
        group = members(session, "operativ-gruppe")
        body = session.exec(
            select(GovernanceBody).where(GovernanceBody.key == "operativ-gruppe")
        ).one()
    assert len(group) == 9
    assert [k for k, lead in group.items() if lead] == ["Forskningsrådet"]
    assert {"Bufdir", "Udir", "Hdir", "Avdir", "HK-dir", "KS", "DOGA", "Kulturtanken"} <= set(group)
    assert body.note and "HK-dir" in body.note  # the Halogen report's list without HK-dir


def test_steering_group_follows_one_source_and_notes_the_other(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        group = members(session, "styringsgruppe")
        body = session.exec(
            select(GovernanceBody).where(GovernanceBody.key == "styringsgruppe")
        ).one()
    assert set(group) == {"BFD", "KD", "HOD", "AID", "KUD"}
    assert body.note and "KUD" in body.note


def test_findings_are_five_main_and_23_sub_findings_a_to_w(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        letters = session.exec(select(Finding.letter).order_by(Finding.letter)).all()
        assert count(session, MainFinding) == 5
    assert "".join(letters) == "ABCDEFGHIJKLMNOPQRSTUVW"


def test_indicators_carry_the_documented_baselines_and_no_invented_targets(
    seeded_engine: Engine,
) -> None:
    with Session(seeded_engine) as session:
        by_code = {i.code: i for i in session.exec(select(Indicator)).all()}
        share = by_code["LAVINNTEKT-BARN-ANDEL"]
        history = session.exec(
            select(Period.label, IndicatorValue.value, IndicatorValue.status)
            .join(Period)
            .where(IndicatorValue.indicator_id == share.id)
        ).all()
    neet = by_code["NEET-15-29"]
    assert (neet.baseline_value, neet.baseline_year, neet.source) == (
        100000,
        2022,
        "Statistisk sentralbyrå (SSB)",
    )
    assert (
        by_code["LAVINNTEKT-BARN"].baseline_value,
        by_code["LAVINNTEKT-BARN"].baseline_year,
    ) == (
        110700,
        2021,
    )
    assert (share.baseline_value, share.baseline_year) == (4, 2000)
    assert history == [("2017", 11, "approved")]
    assert by_code["VGO-IKKE-FULLFORT"].baseline_value == 24.7
    assert all(i.target_value is None and i.target_year is None for i in by_code.values())


def test_the_neet_figures_are_kept_apart_each_with_its_source(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        neet = session.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
    # the baseline is the rounded «about 100 000» aged 15-29, quoted with its document
    assert neet.baseline_value == 100000 and neet.baseline_note is not None
    assert "Om lag 100 000 unge i aldersgruppa 15-29 år" in neet.baseline_note
    assert "«Vi må jobbe annerledes, men hvordan?»" in neet.baseline_note
    assert "97 162" not in neet.baseline_note
    # the exact SSB figure (age group not stated) is a separate statement, not the baseline
    assert neet.note is not None
    assert "97 162 unge utenfor arbeid, utdanning og opplæring i 2022 (SSB)" in neet.note
    assert "uten å si hvilken aldersgruppe" in neet.note and "ikke slått sammen" in neet.note


def snapshot(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of the seeded tables, as plain values, in key order."""
    tables = [
        Organisation,
        Initiative,
        InitiativeOrganisation,
        Contribution,
        InitiativeLink,
        Indicator,
        IndicatorGoal,
        IndicatorValue,
        GovernanceBody,
        BodyMember,
        Deliverable,
        MainFinding,
        Finding,
    ]
    with Session(engine) as session:
        return {
            t.__name__: sorted(
                (row.model_dump(mode="json", warnings=False) for row in session.exec(select(t))),
                key=repr,
            )
            for t in tables
        }


def test_loading_twice_changes_nothing(engine: Engine) -> None:
    load_real(engine)
    first = snapshot(engine)
    load_real(engine)
    assert snapshot(engine) == first
    assert len(first["Initiative"]) == 34 and len(first["Organisation"]) == 184


def test_synthetic_portfolio_is_deterministic_and_clearly_named(
    engine: Engine, tmp_path: Path
) -> None:
    load_real(engine)
    assert add_synthetic(engine, 2) == 2
    assert add_synthetic(engine, 2) == 0  # already there
    with Session(engine) as session:
        synthetic = session.exec(select(Initiative).where(col(Initiative.number) > 100)).all()
        periods = session.exec(select(Period.label).where(col(Period.label).contains("-K"))).all()
    assert len(synthetic) == 68
    assert all(i.name.startswith("Syntetisk") for i in synthetic)
    assert len(periods) == 60
    values = first_copy_values(engine)
    assert len(values) == 60 * 11
    assert values == first_copy_values(fresh_synthetic_database(tmp_path))  # same seed, same data


def first_copy_values(engine: Engine) -> list[float]:
    """The values of the first synthetic copy's indicators, in insertion order."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(IndicatorValue.value)
                .join(Indicator)
                .where(col(Indicator.code).startswith("SYN-1-"))
                .order_by(col(IndicatorValue.id))
            ).all()
        )


def fresh_synthetic_database(tmp_path: Path) -> Engine:
    """A separate SQLite database with the mission and one synthetic copy."""
    url = f"sqlite:///{tmp_path / 'again.db'}"
    upgrade(url)
    other = make_engine(url)
    load_real(other)
    add_synthetic(other, 1)
    return other


def test_demo_accounts_are_printed_once_with_working_generated_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from support.caches import clear_caches

    from dashboard.db import make_engine
    from dashboard.migrate import upgrade
    from dashboard.services.users import authenticate
    from seed.__main__ import main

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    monkeypatch.setattr(sys, "argv", ["seed", "--if-empty", "--demo-accounts"])
    try:
        main()
        first = capsys.readouterr().out
        main()
        second = capsys.readouterr().out
    finally:
        clear_caches()
    lines = [line.split() for line in first.splitlines() if "@demo.invalid" in line]
    assert [(role, email) for role, email, _ in lines] == [
        ("admin", "sekretariat@demo.invalid"),
        ("steering", "styringsgruppe@demo.invalid"),
        ("operative", "operativ@demo.invalid"),
        ("operative", "operativ2@demo.invalid"),
        ("partner", "partner@demo.invalid"),
    ]
    assert len({password for *_, password in lines}) == 5  # generated, all different
    assert "demo.invalid" not in second  # shown only once
    engine = make_engine(url)
    for role, email, password in lines:
        assert authenticate(email, password, engine=engine).role.value == role
    engine.dispose()


def test_loading_again_keeps_a_contribution_a_person_confirmed(engine: Engine) -> None:
    load_real(engine)
    with Session(engine) as session:
        row = session.exec(select(Contribution).order_by(col(Contribution.id))).first()
        assert row is not None and row.proposal
        row.proposal, row.strength, row.rationale = False, 1, "Bekreftet av operativ gruppe"
        session.add(row)
        session.commit()
        kept = row.id
    load_real(engine)
    with Session(engine) as session:
        again = session.get(Contribution, kept)
        assert again is not None
        assert (again.proposal, again.strength, again.rationale) == (
            False,
            1,
            "Bekreftet av operativ gruppe",
        )
        assert session.exec(select(func.count()).select_from(Contribution)).one() == 61


def test_loading_again_leaves_what_people_removed_or_changed(engine: Engine) -> None:
    from dashboard.services.permissions import Actor
    from dashboard.services.portfolio_edit import (
        delete_contribution,
        editable_contributions,
        editable_links,
        update_link,
    )
    from models import InitiativeLinkUpdate, Role

    load_real(engine)
    operative = Actor(id=None, email="operativ@example.no", role=Role.OPERATIVE)
    with Session(engine) as session:
        zero_24 = session.exec(select(Initiative.id).where(Initiative.number == 9)).one()
        removed = editable_contributions(session, zero_24)[0]
        link = editable_links(session, zero_24)[0]
    delete_contribution(operative, removed.id, seen=removed.fingerprint, engine=engine)
    update_link(
        operative,
        link.id,
        InitiativeLinkUpdate(note="Ny merknad"),
        seen=link.fingerprint,
        engine=engine,
    )
    load_real(engine)
    with Session(engine) as session:
        assert session.get(Contribution, removed.id) is None
        assert len(editable_contributions(session, zero_24)) == 1
        assert (
            next(x for x in editable_links(session, zero_24) if x.id == link.id).note
            == "Ny merknad"
        )


def test_synthetic_adds_a_second_clearly_synthetic_mission_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m seed` loads the real mission only; `--synthetic N` adds the synthetic second
    mission too (its own goals, initiatives on shared organisations, indicators with approved
    values in its own periods, a published report, and the demo accounts' roles there), and
    adding it again changes nothing."""
    import sys

    from support.caches import clear_caches
    from support.databases import url_of

    from dashboard.services.missions import role_in
    from models import ReportStatus, Role, User
    from seed.__main__ import main
    from seed.second_mission import MISSION_KEY

    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    clear_caches()

    def run(*args: str) -> None:
        monkeypatch.setattr(sys, "argv", ["seed", *args])
        main()
        capsys.readouterr()

    try:
        run("--demo-accounts")
        with Session(engine) as session:
            assert session.exec(select(Mission.key)).all() == ["inkludering-barn-unge"]
        run("--synthetic", "1")
        with Session(engine) as session:
            first = {model.__name__: count(session, model) for model in SECOND_MISSION_TABLES}
        run("--synthetic", "1")
    finally:
        clear_caches()
    with Session(engine) as session:
        assert {m.__name__: count(session, m) for m in SECOND_MISSION_TABLES} == first
        real, second = session.exec(select(Mission).order_by(col(Mission.id))).all()
        assert second.key == MISSION_KEY and second.title.startswith("Syntetisk")
        assert second.note is not None and "testdata" in second.note.lower()

        def of(model: type, column: str, mission: Mission) -> set[str]:
            query = select(getattr(model, column)).where(model.mission_id == mission.id)  # type: ignore[attr-defined]
            return set(session.exec(query).all())

        goals = session.exec(select(Goal).where(Goal.mission_id == second.id)).all()
        (main_goal,) = [g for g in goals if g.parent_id is None]
        assert len(goals) == 4 and all(g.parent_id == main_goal.id for g in goals if g != main_goal)
        for model, column in ((Goal, "title"), (Initiative, "name"), (Indicator, "name")):
            names = of(model, column, second)
            assert all(name.startswith("Syntetisk") for name in names), names
            assert not names & of(model, column, real)
        assert len(of(Initiative, "name", second)) == 6
        assert len(of(Indicator, "code", second)) == 3
        shared = session.exec(
            select(InitiativeOrganisation.organisation_id)
            .join(Initiative)
            .where(Initiative.mission_id == second.id)
        ).all()
        assert shared and set(shared) <= set(session.exec(select(Organisation.id)).all())
        assert of(Period, "label", second) == {"2023", "2024", "2025"}
        values = session.exec(
            select(IndicatorValue.status, Period.mission_id)
            .join(Indicator)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .where(Indicator.mission_id == second.id)
        ).all()
        assert len(values) >= 6 and {tuple(v) for v in values} == {("approved", second.id)}
        reports = session.exec(
            select(StatusReport.status).where(StatusReport.mission_id == second.id)
        ).all()
        assert reports == [ReportStatus.APPROVED]
        people = {u.email: u for u in session.exec(select(User)).all()}
        roles = {email: role_in(session, user, second.id) for email, user in people.items()}
        assert roles == {
            "sekretariat@demo.invalid": Role.ADMIN,
            "styringsgruppe@demo.invalid": Role.STEERING,
            "operativ@demo.invalid": Role.PARTNER,
            "operativ2@demo.invalid": Role.OPERATIVE,
            "partner@demo.invalid": Role.PARTNER,
        }


SECOND_MISSION_TABLES = [
    Mission,
    MissionRole,
    Goal,
    StatusReport,
    Initiative,
    InitiativeOrganisation,
    Contribution,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Period,
]
