"""The open-data API on an installation with two missions (the real one and the synthetic
second one of seed.second_mission): both are listed, and each one's Data Package and resources
hold nothing of the other (issue 20). On SQLite and PostgreSQL."""

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient
from support.caches import clear_caches
from support.databases import url_of

from dashboard.api_routes import ROUTES
from dashboard.services.opendata.publish import CACHE, package_document, table_document
from dashboard.services.opendata.schema import TABLES
from dashboard.services.rate_limit import OPEN_DATA
from dashboard.settings import get_settings
from models import Goal, Indicator, Initiative, Mission
from seed import load_real
from seed.second_mission import MISSION_KEY, REPORT_SUMMARY, add_second_mission

REAL = get_settings().mission_key


@pytest.fixture
def two_missions(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test's database with both missions, served to the API routes."""
    load_real(engine)
    add_second_mission(engine)
    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    CACHE.clear()
    OPEN_DATA.clear()
    clear_caches()
    yield engine
    CACHE.clear()
    OPEN_DATA.clear()
    clear_caches()


def own_names(engine: Engine) -> dict[str, list[str]]:
    """Per mission key: its goal titles, initiative names, indicator codes and names."""
    names: dict[str, list[str]] = {}
    with Session(engine) as session:
        for mission in session.exec(select(Mission)).all():
            found = list(session.exec(select(Goal.title).where(Goal.mission_id == mission.id)))
            found += session.exec(
                select(Initiative.name).where(Initiative.mission_id == mission.id)
            )
            for code, name in session.exec(
                select(Indicator.code, Indicator.name).where(Indicator.mission_id == mission.id)
            ):
                found += [code, name]
            names[mission.key] = found
    return names


def published(key: str, engine: Engine) -> str:
    """A mission's descriptor and every resource as CSV and JSON (its text unescaped)."""
    bodies = [package_document(key, engine=engine).body]
    for table in TABLES:
        for extension in ("csv", "json"):
            bodies.append(table_document(key, f"{table.name}.{extension}", engine=engine).body)
    parts = []
    for body in bodies:
        text = body.decode("utf-8")
        parts.append(text)
        if text.lstrip().startswith(("{", "[")):  # JSON: its strings as they read
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(parts)


def shows(text: str, name: str) -> bool:
    """Whether text holds name as words of its own."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def test_each_mission_is_listed_and_publishes_only_its_own(two_missions: Engine) -> None:
    with TestClient(Starlette(routes=ROUTES)) as client:
        answer = client.get("/api/v1/missions")
        assert answer.status_code == 200
        listed = {m["key"]: m for m in answer.json()["missions"]}
        assert set(listed) == {REAL, MISSION_KEY}
        assert listed[MISSION_KEY]["title"].startswith("Syntetisk")
        for key, mission in listed.items():
            assert mission["datapackage"].endswith(f"/api/v1/missions/{key}/datapackage.json")
            package = client.get(f"/api/v1/missions/{key}/datapackage.json")
            assert package.status_code == 200, key
    names = own_names(two_missions)
    texts = {key: published(key, two_missions) for key in (REAL, MISSION_KEY)}
    for shown, other in ((REAL, MISSION_KEY), (MISSION_KEY, REAL)):
        leaked = [name for name in names[other] if shows(texts[shown], name)]
        assert not leaked, (shown, leaked[:5])
        kept = [name for name in names[shown] if shows(texts[shown], name)]
        assert kept, shown
    # the synthetic mission's published report and approved values are in its package only
    assert REPORT_SUMMARY in texts[MISSION_KEY] and REPORT_SUMMARY not in texts[REAL]
    values = json.loads(table_document(MISSION_KEY, "values.json", engine=two_missions).body)
    assert {v["indicator"] for v in values} == {"SYNT-FALL", "SYNT-ENSOM", "SYNT-AVLAST"}
    assert {v["period"] for v in values} == {"2023", "2024", "2025"}
