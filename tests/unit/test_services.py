"""The read services the pages use, on the seeded mission."""

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.common import data_version, mission_by_key
from dashboard.services.exports import to_csv, to_excel
from dashboard.services.goals import goal_tree
from dashboard.services.governance import bodies, deliverables, findings
from dashboard.services.indicators import indicator_count, indicator_detail, indicator_table
from dashboard.services.overview import goal_summaries, portfolio_counts
from dashboard.services.portfolio import (
    PortfolioFilter,
    apply_filter,
    initiative_detail,
    links,
    portfolio,
    portfolio_organisations,
)
from dashboard.services.portfolio_analysis import coverage, wide_matrix
from dashboard.services.status_reports import since_last_report
from models import EntryStatus, Indicator, IndicatorValue, Mission, Organisation
from seed import add_synthetic, load_real
from seed.loader import read, year_period


@pytest.fixture
def session(seeded_engine: Engine) -> Session:
    """A read session on the seeded mission."""
    with Session(seeded_engine) as s:
        yield s  # type: ignore[misc]


def mission_id(session: Session) -> int:
    """The seeded mission's id."""
    mission = mission_by_key(session, "inkludering-barn-unge")
    assert mission is not None and mission.id is not None
    return mission.id


def test_portfolio_lists_every_initiative_with_its_organisations(session: Session) -> None:
    frame = portfolio(session, mission_id(session))
    assert len(frame) == 34
    row = frame.set_index("number").loc[9]
    assert row["responsible"] == "Bufdir, Hdir, IMDi, NAV, Udir"
    assert set(row["focus"]) == {"policy", "services"}


def test_filters_combine(session: Session) -> None:
    frame = portfolio(session, mission_id(session))
    research_in_3 = apply_filter(frame, PortfolioFilter(categories=(3,), focus=("research",)))
    assert sorted(research_in_3["number"]) == [6, 7, 10]
    regional = apply_filter(frame, PortfolioFilter(scopes=("regional",)))
    assert len(regional) == 8
    ks = session.exec(select(Organisation.id).where(Organisation.key == "KS")).one()
    with_ks = apply_filter(frame, PortfolioFilter(organisations=(ks,)))
    assert 8 in set(with_ks["number"]) and 29 in set(with_ks["number"])
    assert apply_filter(frame, PortfolioFilter()).equals(frame)


def test_counts_match_the_mapping(session: Session) -> None:
    counts = portfolio_counts(session, mission_id(session))
    assert counts.total == 34
    assert counts.by_category.loc[3] == 8 and counts.by_category.loc[9] == 7
    assert counts.by_focus.loc["services"] == 24  # the table tally; the report says 23
    assert counts.organisations == 142


def test_organisation_list_counts_initiatives(session: Session) -> None:
    initiatives = read("initiatives")
    expected = {
        key: sum(key in i["responsible"] + (i["involved"] or []) for i in initiatives)
        for key in ("Bufdir", "KS", "Forskningsrådet")
    }
    orgs = portfolio_organisations(session, mission_id(session)).set_index("short_name")
    assert {key: orgs.loc[key, "initiatives"] for key in expected} == expected
    assert list(orgs["initiatives"]) == sorted(orgs["initiatives"], reverse=True)


def test_goal_summaries_count_each_subtree_once(session: Session) -> None:
    summaries = {s.goal.code: s for s in goal_summaries(session, mission_id(session))}
    assert list(summaries) == ["0", "1", "2", "3"]
    tree = goal_tree(session, mission_id(session))
    personal = tree[0].children[0]
    nodes = [personal, *personal.children]
    assert summaries["1"].initiatives == len({i[0] for n in nodes for i in n.initiatives})
    assert summaries["1"].indicators == len({i[0] for n in nodes for i in n.indicators})
    assert summaries["0"].initiatives == 34


def test_indicator_table_limit_and_count(session: Session) -> None:
    first = indicator_table(session, mission_id(session), limit=3)
    assert len(first) == 3 and list(first["code"]) == sorted(first["code"])
    assert indicator_count(session, mission_id(session)) == 11


def test_goal_tree_has_the_three_levels_under_the_main_goal(session: Session) -> None:
    roots = goal_tree(session, mission_id(session))
    assert [r.goal.code for r in roots] == ["0"]
    assert [c.goal.code for c in roots[0].children] == ["1", "2", "3"]
    personal = roots[0].children[0]
    assert [c.goal.code for c in personal.children] == ["1.1", "1.2", "1.3"]
    assert all(node.goal.proposal for node in [roots[0], *roots[0].children])
    school = personal.children[0]
    assert "VGO-IKKE-FULLFORT" in {code for code, _ in school.indicators}
    assert any(number == 30 for number, *_ in school.initiatives)  # IPS Ung, category 9


def test_matrix_and_links(session: Session) -> None:
    matrix = wide_matrix(coverage(session, mission_id(session)), range(1, 35))
    assert len(matrix) == 34 and list(matrix.columns[:4]) == ["number", "name", "0", "1.1"]
    assert matrix.loc[matrix.number == 30, "1.1"].item() == 3  # IPS Ung, category 9
    found = links(session, mission_id(session))
    assert ((found.from_number == 14) & (found.to_number == 9) & (found.kind == "part_of")).any()


def test_initiative_detail(session: Session) -> None:
    detail = initiative_detail(session, mission_id(session), 9)
    assert detail is not None
    assert {o.short_name for o in detail.responsible} >= {"Udir", "Bufdir"}
    assert set(detail.links["from_number"]) | set(detail.links["to_number"]) >= {8, 9, 14}
    assert not detail.contributions.empty and detail.contributions["proposal"].all()
    assert initiative_detail(session, mission_id(session), 999) is None


def test_governance_and_findings(session: Session) -> None:
    keys = [b.body.key for b in bodies(session, mission_id(session))]
    assert keys[:3] == ["oppdragsgiver", "prosjekteier", "styringsgruppe"]
    items = deliverables(session, mission_id(session))
    assert len(items) == 7 and (items["status"] == "delivered").sum() >= 2
    assert len(findings(session, mission_id(session))) == 23
    assert (
        since_last_report(session, mission_id(session), dt.date.today(), include_unpublished=True)
        is None
    )


def test_partners_see_only_approved_values(engine: Engine) -> None:
    load_real(engine)
    with session_scope(write=True, engine=engine) as s:
        indicator = s.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
        period = year_period(s, 2023, mission_id(s))
        s.add(
            IndicatorValue(
                indicator_id=indicator.id,
                period_id=period.id,
                value=95000,
                status=EntryStatus.SUBMITTED,
            )
        )
    with Session(engine) as s:
        mission = s.exec(select(Mission)).one()
        assert mission.id is not None
        partner = indicator_table(s, mission.id).set_index("code").loc["NEET-15-29"]
        internal = indicator_table(s, mission.id, include_unapproved=True).set_index("code")
        detail = indicator_detail(s, mission.id, "NEET-15-29")
        assert detail is not None
    assert pd.isna(partner["latest_value"])
    assert internal.loc["NEET-15-29", "latest_value"] == 95000
    assert internal.loc["NEET-15-29", "latest_status"] == "submitted"
    assert detail.series.empty


def test_every_committed_write_raises_the_data_version(engine: Engine) -> None:
    def version() -> int:
        with Session(engine) as s:
            return data_version(s)

    start = version()
    load_real(engine)
    after_seed = version()
    add_synthetic(engine, 1)
    after_synthetic = version()
    with session_scope(write=True, engine=engine) as s:
        s.add(IndicatorValue(indicator_id=1, period_id=1, value=1.0))
    assert start < after_seed < after_synthetic < version()
    with (
        pytest.raises(IntegrityError),
        session_scope(write=True, engine=engine) as s,
    ):
        s.add(IndicatorValue(indicator_id=1, period_id=1, value=2.0))  # duplicate: refused
    assert version() == after_synthetic + 1  # a rolled-back write raises nothing


def test_csv_export_is_excel_friendly_and_neutralises_formulas() -> None:
    frame = pd.DataFrame({"Navn": ["Bærum", '=HYPERLINK("x")', "@SUM(A1)"], "Verdi": [1.5, 2, 3]})
    data = to_csv(frame)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Navn;Verdi"
    assert "Bærum;1,5" in text
    assert "'=HYPERLINK" in text and "'@SUM" in text


def test_excel_export_keeps_letters_and_neutralises_formulas() -> None:
    frame = pd.DataFrame({"Organisasjon": ["Kulturtanken", "Øvre Eiker kommune", "+1+1"]})
    book = openpyxl.load_workbook(io.BytesIO(to_excel(frame)))
    cells = [c.value for c in book.active["A"]]
    assert cells == ["Organisasjon", "Kulturtanken", "Øvre Eiker kommune", "'+1+1"]
