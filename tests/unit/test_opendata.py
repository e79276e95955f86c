"""The open-data API (issue 20): a valid Frictionless Data Package of exactly what a partner
sees, ETags that follow what is published, and the HTTP rules (304, 429, CORS, JSON errors).
On SQLite and PostgreSQL; the HTTP layer through Starlette's test client here, and against a
real server in tests/browser/test_open_data.py."""

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from frictionless import validate
from reporting_world import World
from sqlmodel import Session, col
from starlette.applications import Starlette
from starlette.testclient import TestClient
from support.caches import clear_caches
from support.databases import url_of

from dashboard.api_routes import ROUTES
from dashboard.db import session_scope
from dashboard.i18n import translate
from dashboard.services.common import data_version
from dashboard.services.indicators import indicator_series
from dashboard.services.opendata.publish import (
    CACHE,
    Document,
    NotFound,
    missions_document,
    package_document,
    table_document,
)
from dashboard.services.opendata.schema import TABLES
from dashboard.services.rate_limit import OPEN_DATA, RateLimit
from dashboard.services.reporting import (
    approve_value,
    return_value,
    save_value,
    submit_value,
)
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    report_list,
    submit_report,
    update_texts,
)
from models import EntryStatus, Period

KEY = "m"  # the reporting world's mission
API = f"/api/v1/missions/{KEY}"
TODAY = dt.date(2026, 3, 1)
SECRET = "UPUBLISERT"  # in every text that must never be published


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    """Nothing rendered and no request counted before a test (each has its own database)."""
    CACHE.clear()
    OPEN_DATA.clear()
    yield
    CACHE.clear()
    OPEN_DATA.clear()


def value(world: World, who: str, figure: str, *, indicator: int = 0, period: int = 0,
          version: int | None = None, reason: str | None = None,
          comment: str = SECRET) -> int:  # fmt: skip
    """Save a value as who; its id."""
    saved = save_value(
        world.actors[who],
        indicator or world.indicator,
        period or world.period,
        {"value": figure, "comment": f"{comment} {figure}"},
        version=version,
        reason=reason,
        engine=world.engine,
    )
    assert saved.id is not None
    return saved.id


def submitted(world: World, value_id: int, version: int) -> int:
    """Submit a value as udir_a; its new version."""
    return submit_value(world.actors["udir_a"], value_id, version, engine=world.engine).version


def approved(world: World, figure: str, **where: int) -> int:
    """A value udir_a entered and udir_b approved; its version."""
    value_id = value(world, "udir_a", figure, comment=f"{SECRET} godkjent", **where)
    version = submitted(world, value_id, 1)
    return approve_value(world.actors["udir_b"], value_id, version, engine=world.engine).version


def earlier_period(world: World) -> int:
    """A second reporting period, 2024."""
    with session_scope(write=True, engine=world.engine) as session:
        period = Period(
            mission_id=world.mission,
            label="2024",
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 12, 31),
        )
        session.add(period)
        session.flush()
        assert period.id is not None
        return period.id


def report(world: World, period: int, *, publish: bool, summary: str) -> None:
    """A status report of the period: approved by the steering group, or left a draft."""
    operative, engine = world.actors["udir_a"], world.engine
    draft = create_draft(operative, world.mission, period, today=TODAY, engine=engine)
    draft = update_texts(
        operative, draft.id or 0, {"summary": summary, "version": draft.version}, engine=engine
    )
    if publish:
        sent = submit_report(operative, draft.id or 0, draft.version, engine=engine)
        approve_report(world.actors["steering"], sent.id or 0, sent.version, engine=engine)


@pytest.fixture
def busy(world: World) -> World:
    """The world with one figure in every state: C 2025 approved at 10 with a correction to 14
    submitted; P 2025 a draft (55); C 2024 submitted (33); P 2024 returned (44); the 2025
    report published, the 2024 report a draft."""
    version = approved(world, "10")
    correction = value(world, "udir_a", "14", version=version, reason="SSB rettet")
    with Session(world.engine) as session:
        from models import IndicatorValue

        row = session.get(IndicatorValue, correction)
        assert row is not None and row.is_correction
        submitted(world, correction, row.version)
    value(world, "udir_a", "55", indicator=world.percent)
    earlier = earlier_period(world)
    pending = value(world, "udir_a", "33", period=earlier)
    submitted(world, pending, 1)
    sent_back = value(world, "udir_a", "44", indicator=world.percent, period=earlier)
    version = submitted(world, sent_back, 1)
    return_value(world.actors["udir_b"], sent_back, version, "sjekk", engine=world.engine)
    report(world, world.period, publish=True, summary="Publisert sammendrag")
    report(world, earlier, publish=False, summary=f"{SECRET} utkast")
    return world


def every_document(world: World) -> dict[str, bytes]:
    """The package and every table in both formats, by file name."""
    found = {"datapackage.json": package_document(KEY, engine=world.engine).body}
    for table in TABLES:
        for extension in ("csv", "json"):
            name = f"{table.name}.{extension}"
            found[name] = table_document(KEY, name, engine=world.engine).body
    return found


def records(world: World, table: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(
        table_document(KEY, f"{table}.json", engine=world.engine).body
    )
    return rows


def test_the_package_passes_frictionless_validate(busy: World, tmp_path: Path) -> None:
    for name, body in every_document(busy).items():
        (tmp_path / name).write_bytes(body)
    checked = validate(tmp_path / "datapackage.json")
    assert checked.valid, checked.flatten(["title", "rowNumber", "fieldName", "note"])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "NLOD-2.0"
    assert [r["name"] for r in package["resources"]] == [t.name for t in TABLES]
    values = next(r for r in package["resources"] if r["name"] == "values")
    assert values["schema"]["missingValues"] == [""]
    assert {f["name"]: f["type"] for f in values["schema"]["fields"]}["value"] == "number"
    assert values["sources"] and values["licenses"]
    indicators = next(r for r in package["resources"] if r["name"] == "indicators")
    assert {f["name"] for f in indicators["schema"]["fields"]} >= {"unit", "baseline_value"}


def test_the_licence_is_a_setting(busy: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPEN_DATA_LICENCE", "CC-BY-4.0")
    clear_caches()
    try:
        package = json.loads(package_document(KEY, engine=busy.engine).body)
    finally:
        monkeypatch.delenv("OPEN_DATA_LICENCE")
        clear_caches()
    assert package["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"


def test_only_what_a_partner_sees_is_published(busy: World) -> None:
    documents = every_document(busy)
    for name, body in documents.items():
        assert SECRET.encode() not in body, name
    values = records(busy, "values")
    assert [(v["indicator"], v["period"], v["value"]) for v in values] == [("C", "2025", 10.0)]
    with Session(busy.engine) as session:
        partner_sees = {
            (code, row.period, row.value)
            for code, indicator in (("C", busy.indicator), ("P", busy.percent))
            for row in indicator_series(session, indicator).itertuples()
        }
        published_reports = report_list(session, busy.mission, include_unpublished=False)
    assert {(v["indicator"], v["period"], v["value"]) for v in values} == partner_sees
    assert [r["period"] for r in records(busy, "status_reports")] == list(
        published_reports["period"]
    )
    assert [r["summary"] for r in records(busy, "status_reports")] == ["Publisert sammendrag"]
    for table in ("report_goals", "report_indicators", "report_decisions"):
        assert {r["period"] for r in records(busy, table)} <= {"2025"}, table
    report_rows = {r["indicator"]: r["value"] for r in records(busy, "report_indicators")}
    assert report_rows == {"C": 10.0, "P": None}
    for figure in (b"14", b"55", b"33", b"44"):
        assert figure not in documents["values.csv"] + documents["report_indicators.csv"]


def test_a_values_comment_is_not_published(busy: World) -> None:
    """The comment beside a value is for the approver (the reporting grid and the approval
    queue); the pages never show it to a partner, so neither does the API."""
    assert "comment" not in [r for r in records(busy, "values")[0]]
    assert b"godkjent" not in b"".join(every_document(busy).values())


def test_nothing_crosses_between_missions(busy: World) -> None:
    """A second mission's goals, initiatives, indicators and values are in its own package
    only, and the first one's in neither of the other's; each has its own ETag."""
    from models import (
        Contribution,
        Goal,
        GoalLevel,
        Indicator,
        IndicatorGoal,
        IndicatorValue,
        Initiative,
        InitiativeLink,
        LinkKind,
        Mission,
    )

    with session_scope(write=True, engine=busy.engine) as session:
        other = Mission(key="b", title="ANDRE-OPPDRAG")
        session.add(other)
        session.flush()
        indicator = Indicator(mission_id=other.id, code="ANDRE-IND", name="ANDRE-INDIKATOR")
        initiative = Initiative(mission_id=other.id, number=77, name="ANDRE-SATSING")
        session.add_all([indicator, initiative])
        goal = Goal(mission_id=other.id, code="9", level=GoalLevel.MAIN, title="ANDRE-MÅL")
        session.add(goal)
        session.flush()
        session.add(
            IndicatorValue(indicator_id=indicator.id, period_id=busy.period, value=987654,
                           status=EntryStatus.APPROVED)
        )  # fmt: skip
        session.add(
            InitiativeLink(from_id=busy.initiative, to_id=initiative.id, kind=LinkKind.SYNERGY)
        )  # links across (the pages make none; the database would take them)
        session.add(Contribution(initiative_id=busy.initiative, goal_id=goal.id))
        session.add(IndicatorGoal(indicator_id=busy.indicator, goal_id=goal.id))
    mine = b"".join(every_document(busy).values())
    for marker in (b"ANDRE-", b"987654"):
        assert marker not in mine, marker
    for table in ("initiative_links", "contributions", "indicator_goals"):
        assert records(busy, table) == [], table
    theirs = b"".join(
        table_document("b", f"{table.name}.json", engine=busy.engine).body for table in TABLES
    )
    assert b"ANDRE-IND" in theirs and b"987654" in theirs and b"ANDRE-SATSING" in theirs
    assert b"Publisert sammendrag" not in theirs and b'"C"' not in theirs
    assert package_document("b", engine=busy.engine).etag != (
        package_document(KEY, engine=busy.engine).etag
    )


def test_the_query_string_changes_nothing(busy: World, client: TestClient) -> None:
    plain = client.get(f"{API}/values.json").json()
    for query in ("?status=draft", "?include_unapproved=1", "?all=true&status=submitted"):
        assert client.get(f"{API}/values.json{query}").json() == plain


def test_released_is_where_every_figure_passes(
    busy: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.services.opendata import rows

    monkeypatch.setattr(rows, "released", lambda figure: None)
    assert [(v["indicator"], v["value"]) for v in records(busy, "values")] == [("C", None)]
    assert {r["value"] for r in records(busy, "report_indicators")} == {None}


def test_a_count_of_fewer_than_five_persons_is_withheld(world: World) -> None:
    approved(world, "3")
    report(world, world.period, publish=True, summary="Publisert sammendrag")
    assert [(v["indicator"], v["value"]) for v in records(world, "values")] == [("C", None)]
    assert {r["indicator"]: r["value"] for r in records(world, "report_indicators")}["C"] is None
    csv = table_document(KEY, "values.csv", engine=world.engine).body.decode()
    assert [line.split(",")[4] for line in csv.splitlines()[1:]] == [""]


def test_a_baseline_of_fewer_than_five_persons_is_withheld(world: World) -> None:
    """A baseline is a measured count, hidden from partners on the pages (shown_value): in the
    indicators table and the reports' rows too; a target (what is aimed at) is not."""
    from models import Indicator

    with session_scope(write=True, engine=world.engine) as session:
        indicator = session.get(Indicator, world.indicator)
        assert indicator is not None
        indicator.baseline_value, indicator.baseline_year = 3, 2020
        indicator.target_value, indicator.target_year = 2, 2030
        session.add(indicator)
    approved(world, "12")
    report(world, world.period, publish=True, summary="Publisert sammendrag")
    rows = {r["code"]: r for r in records(world, "indicators")}
    assert (rows["C"]["baseline_value"], rows["C"]["target_value"]) == (None, 2.0)
    reported = {r["indicator"]: r for r in records(world, "report_indicators")}
    assert (reported["C"]["baseline_value"], reported["C"]["target_value"]) == (None, 2.0)
    assert reported["C"]["value"] == 12.0
    csv = table_document(KEY, "indicators.csv", engine=world.engine).body.decode()
    header, line = csv.splitlines()[:2]
    assert dict(zip(header.split(","), line.split(","), strict=True))["baseline_value"] == ""


def test_a_report_row_of_unknown_measure_is_taken_as_a_count(busy: World) -> None:
    """A frozen row without a measure (older reports) is shown as a count on the pages, so a
    small figure in it is withheld here too."""
    import sqlalchemy as sa

    from models import SnapshotIndicator

    with session_scope(write=True, engine=busy.engine) as session:
        session.execute(
            sa.update(SnapshotIndicator)
            .where(col(SnapshotIndicator.code) == "C")
            .values(measure=None, value=3, baseline_value=2)
        )
    (row,) = [r for r in records(busy, "report_indicators") if r["indicator"] == "C"]
    assert (row["value"], row["baseline_value"]) == (None, None)


def test_the_etag_changes_on_an_approval_and_not_on_a_draft(world: World) -> None:
    def etags() -> tuple[str, str]:
        return (
            package_document(KEY, engine=world.engine).etag,
            table_document(KEY, "values.csv", engine=world.engine).etag,
        )

    def version() -> int:
        with session_scope(engine=world.engine) as session:
            return data_version(session)

    before, counter = etags(), version()
    draft = value(world, "udir_a", "12")
    assert version() > counter  # the draft was written: the data version moved
    assert etags() == before
    version_then = submitted(world, draft, 1)
    assert etags() == before
    approve_value(world.actors["udir_b"], draft, version_then, engine=world.engine)
    after = etags()
    assert after[0] != before[0] and after[1] != before[1]
    report(world, world.period, publish=False, summary="utkast")
    assert etags() == after


# --- over HTTP (the ASGI routes) ---------------------------------------------------------------


@pytest.fixture
def client(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client of the API routes, on the world's database."""
    monkeypatch.setenv("DATABASE_URL", url_of(world.engine))
    clear_caches()
    with TestClient(Starlette(routes=ROUTES)) as test_client:
        yield test_client
    clear_caches()


def test_missions_lists_each_with_its_package(client: TestClient) -> None:
    answer = client.get("/api/v1/missions")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    (mission,) = answer.json()["missions"]
    assert mission["key"] == KEY
    assert mission["datapackage"].endswith(f"{API}/datapackage.json")


def test_tables_come_as_utf8_comma_csv_and_json(busy: World, client: TestClient) -> None:
    csv = client.get(f"{API}/values.csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.decode("utf-8").splitlines()[0].startswith("indicator,period,")
    assert client.get(f"{API}/goals.json").json() == []  # the world has no goals


def test_an_etag_answers_304_and_the_cache_may_keep_it(client: TestClient) -> None:
    first = client.get(f"{API}/datapackage.json")
    etag = first.headers["etag"]
    assert "public" in first.headers["cache-control"]
    again = client.get(f"{API}/datapackage.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    # as the 200 the server gzips says, or a cache could hand gzip to a client without it
    assert "Accept-Encoding" in again.headers["vary"]
    other = client.get(f"{API}/datapackage.json", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


def test_a_client_over_its_limit_gets_429_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPEN_DATA_REQUESTS_PER_MINUTE", "3")
    clear_caches()
    assert [client.get("/api/v1/missions").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/missions")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["status"] == 429


def test_the_limit_refills_with_time() -> None:
    now = [0.0]
    limit = RateLimit(clock=lambda: now[0])
    assert [limit.take("a", 2) for _ in range(2)] == [0, 0]
    assert limit.take("a", 2) == pytest.approx(30)
    assert limit.take("b", 2) == 0  # another client counts on its own
    now[0] = 30
    assert limit.take("a", 2) == 0


def test_cors_is_open_for_get(client: TestClient) -> None:
    answer = client.get("/api/v1/missions", headers={"Origin": "https://example.org"})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "ETag" in answer.headers["access-control-expose-headers"]
    preflight = client.options(
        "/api/v1/missions",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/missions/nope/datapackage.json", "unknown_mission"),
        ("/api/v1/missions/nope/values.csv", "unknown_mission"),
        (f"{API}/secrets.csv", "unknown_resource"),
        (f"{API}/values.xlsx", "unknown_resource"),
        ("/api/v1/nothing", "not_found"),
        ("/api/v2/missions", "not_found"),
    ],
)
def test_errors_are_json_with_their_status(client: TestClient, path: str, code: str) -> None:
    answer = client.get(path, headers={"Origin": "https://example.org"})
    assert answer.status_code == 404
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["status"] == 404
    english = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert english.json()["error"]["message"] != answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-GB,en;q=0.8", "en"),
        ("en;q=0.2, nb;q=0.9", "nb"),  # the weights decide, not the order
        ("de, en;q=0.5, nn;q=0.4", "en"),
        ("nn-NO", "nb"),
        ("en;q=0, nb", "nb"),  # q=0: not wanted
        ("", "nb"),
    ],
)
def test_the_error_language_follows_the_weights(client: TestClient, header: str, lang: str) -> None:
    answer = client.get("/api/v1/nothing", headers={"Accept-Language": header})
    assert answer.json()["error"]["message"] == translate(lang, "api.error.not_found")


def test_only_get_is_taken(client: TestClient) -> None:
    answer = client.post("/api/v1/missions", content=b"{}")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method"
    assert set(answer.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_no_open_data_where_visitors_read_nothing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_READ", "false")
    clear_caches()
    answer = client.get(f"{API}/values.csv")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "closed"


def test_an_unknown_key_is_not_kept(world: World) -> None:
    for n in range(50):
        with pytest.raises(NotFound):
            package_document(f"unknown-{n}", engine=world.engine)
    assert len(CACHE.kept) == 1  # the mission list only


def test_csv_cells_cannot_run_as_formulas_and_json_keeps_the_text(world: World) -> None:
    from models import Goal, GoalLevel

    with session_scope(write=True, engine=world.engine) as session:
        title = '=HYPERLINK("http://x.example","klikk")'
        session.add(Goal(mission_id=world.mission, code="1", level=GoalLevel.MAIN, title=title))
    csv = table_document(KEY, "goals.csv", engine=world.engine).body.decode()
    assert ',"\'=HYPERLINK(""http://x.example"",""klikk"")",' in csv
    assert records(world, "goals")[0]["title"] == title


def test_a_database_that_does_not_answer_is_a_json_503(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_url)  # nobody migrated it: no tables
    clear_caches()
    try:
        with TestClient(Starlette(routes=ROUTES)) as client:
            answer = client.get(f"{API}/values.csv")
    finally:
        clear_caches()
    assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
    assert answer.json()["error"]["code"] == "unavailable"


def test_the_etag_is_weak_and_either_form_revalidates(client: TestClient) -> None:
    """Weak: the server may send the same data gzipped."""
    etag = client.get("/api/v1/missions").headers["etag"]
    assert etag.startswith('W/"')
    for sent in (etag, etag.removeprefix("W/"), f'"x", {etag}', "*"):
        assert client.get("/api/v1/missions", headers={"If-None-Match": sent}).status_code == 304


# --- under load: a slow render holds up neither other answers nor the server's threads --------


@contextmanager
def slow_render(world: World) -> Iterator[None]:
    """Inside: a request for the package is rendering the mission (held until the block
    ends), in a thread of its own."""
    from dashboard.services.opendata import publish

    rendering, release = threading.Event(), threading.Event()
    real = publish.publication

    def slow(session: Session, mission: object) -> publish.Publication:
        rendering.set()
        release.wait(10)
        return real(session, mission)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish, "publication", slow)
        renders = threading.Thread(
            target=package_document, args=(KEY,), kwargs={"engine": world.engine}
        )
        renders.start()
        try:
            assert rendering.wait(10)
            yield
        finally:
            release.set()
            renders.join(10)


def test_a_slow_render_holds_up_no_answer_already_kept(world: World) -> None:
    """While one mission renders (about 2 s at --synthetic 100), what is kept is served."""
    missions_document(engine=world.engine)  # the list is kept
    with slow_render(world):
        served: list[bytes] = []
        other = threading.Thread(
            target=lambda: served.append(missions_document(engine=world.engine).body)
        )
        other.start()
        other.join(3)
        assert served, "the mission list waited for another mission's render"


def test_while_a_mission_renders_again_its_last_render_is_served(world: World) -> None:
    """After a write, one request renders the mission again; the others get the render before
    it at once (its own ETag) instead of each waiting about 2 s for a thread."""
    before = package_document(KEY, engine=world.engine)
    approved(world, "12")
    with slow_render(world):
        served: list[Document] = []
        other = threading.Thread(
            target=lambda: served.append(package_document(KEY, engine=world.engine))
        )
        other.start()
        other.join(3)
        assert served == [before]
    assert package_document(KEY, engine=world.engine).etag != before.etag


def test_requests_waiting_for_a_render_leave_the_server_threads_free() -> None:
    """A burst of API requests behind one render waits without holding the thread pool that
    /healthz and the sign-in routes run in (HAProxy would take the process out)."""
    import threading

    import anyio
    from starlette.requests import Request

    from dashboard.api_routes import served
    from dashboard.services.opendata.publish import document

    release = threading.Event()

    def blocked(_request: Request) -> Document:
        release.wait(10)
        return document(b"{}", "application/json")

    handler = served(blocked)

    def request(n: int) -> Request:
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [],
                 "query_string": b"", "client": (f"10.0.0.{n}", 1)}  # fmt: skip
        return Request(scope)

    async def burst() -> int:
        async with anyio.create_task_group() as group:
            for n in range(60):
                group.start_soon(handler, request(n))
            await anyio.sleep(0.5)
            busy = anyio.to_thread.current_default_thread_limiter().borrowed_tokens
            release.set()
        return int(busy)

    assert anyio.run(burst) <= 8
