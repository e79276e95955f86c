"""The open-data API's largest table on a benchmark database (issue 20), through its ASGI
routes in this process: cold (nothing rendered: every table of the mission is read and
rendered, as after any write) and cached (the data version read, the kept bytes served), and
a revalidation with If-None-Match (304)."""

import json
import time
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench.stats import Summary, summarise
from dashboard.api_routes import ROUTES
from dashboard.services.opendata.publish import API_PATH, CACHE
from dashboard.services.rate_limit import OPEN_DATA
from dashboard.settings import get_settings


@dataclass
class OpenDataTiming:
    """How long the API takes to serve its largest table on one database."""

    table: str  # the largest table, by its CSV's size
    rows: int
    csv_bytes: int
    json_bytes: int
    cold: Summary  # nothing rendered before the request
    cached: Summary  # rendered at this data version already
    not_modified: Summary  # cached, and the client's ETag still current (304)


def measure(repetitions: int) -> OpenDataTiming:
    """Find the largest table, then time it cold, cached and revalidated."""
    package_path = f"{API_PATH}/missions/{get_settings().mission_key}"
    with TestClient(Starlette(routes=ROUTES)) as client:

        def get(path: str, headers: dict[str, str] | None = None) -> tuple[float, int, str]:
            OPEN_DATA.clear()  # the benchmark is one client far above any rate limit
            start = time.perf_counter()
            answer = client.get(path, headers=headers or {})
            seconds = time.perf_counter() - start
            assert answer.status_code in (200, 304), answer.text
            return seconds, answer.status_code, answer.headers["etag"]

        CACHE.clear()
        package = json.loads(client.get(f"{package_path}/datapackage.json").content)
        largest = max(package["resources"], key=lambda resource: resource["bytes"])
        path = f"{package_path}/{largest['name']}"
        rows = len(client.get(f"{path}.json").json())
        json_bytes = len(client.get(f"{path}.json").content)
        cold = []
        for _ in range(repetitions):
            CACHE.clear()
            cold.append(get(f"{path}.csv")[0])
        cached = [get(f"{path}.csv")[0] for _ in range(repetitions)]
        etag = get(f"{path}.csv")[2]
        revalidated = []
        for _ in range(repetitions):
            seconds, status, _ = get(f"{path}.csv", {"If-None-Match": etag})
            assert status == 304
            revalidated.append(seconds)
    return OpenDataTiming(
        largest["name"],
        rows,
        largest["bytes"],
        json_bytes,
        summarise(cold),
        summarise(cached),
        summarise(revalidated),
    )
