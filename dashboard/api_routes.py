"""The open-data API over HTTP (issue 20), mounted at /api beside the dashboard
(dashboard/server.py); what it serves is in dashboard/services/opendata.

GET /api/v1/missions, /api/v1/missions/{key}/datapackage.json and
/api/v1/missions/{key}/{table}.csv|.json. Every answer has an ETag (a 304 for If-None-Match),
Cache-Control for shared caches and CORS open to every origin; each client is held to
OPEN_DATA_REQUESTS_PER_MINUTE (429 with Retry-After); every error is JSON with its status
code, in Norwegian or English after Accept-Language.

A small Starlette app mounted among st.App's routes, rather than a separate ASGI server: the
same port and processes as the dashboard (HAProxy needs no other upstream), and its CORS
middleware and JSON error handlers apply under /api only, not to Streamlit's own routes.
"""

import math
from collections.abc import Awaitable, Callable

import anyio
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from dashboard.services.opendata.publish import (
    API_PATH,
    Document,
    NotFound,
    missions_document,
    package_document,
    table_document,
)
from dashboard.services.rate_limit import OPEN_DATA
from dashboard.settings import get_settings

MOUNT = "/api"
CACHE_CONTROL = "public, max-age=60, must-revalidate"
# The threads the API's reads and renders run in, apart from the pool (40) that /healthz and
# the sign-in routes share: requests waiting behind a render wait here, without a thread
WORKERS = anyio.CapacityLimiter(4)
ERRORS = {
    403: "closed",
    404: "not_found",
    405: "method",
    429: "rate",
    500: "internal",
    503: "unavailable",
}


def _weight(part: str) -> float:
    """The q of one Accept-Language entry (1 when none, 0 when it cannot be read)."""
    for parameter in part.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def language(request: Request) -> str:
    """Of our languages, the one Accept-Language weighs most (ties: the first named; nn and
    no count as bokmål); bokmål when it names none."""
    best, chosen = 0.0, DEFAULT_LANGUAGE
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        code = "nb" if code in ("no", "nn") else code
        weight = _weight(part)
        if code in LANGUAGES and weight > best:
            best, chosen = weight, code
    return chosen


def error(request: Request, status: int, what: str | None = None, **headers: str) -> Response:
    """An error as JSON: {"error": {"status", "code", "message"}}."""
    code = what or ERRORS.get(status, "error")
    message = translate(language(request), f"api.error.{code}")
    body = {"error": {"status": status, "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store", **headers})


def client_of(request: Request) -> str:
    """Whom the rate limit counts: the address uvicorn gives (X-Forwarded-For from a local
    proxy), or one key for every client it gives none for."""
    return request.client.host if request.client else "unknown"


def answer(request: Request, found: Document) -> Response:
    """The document, or 304 when the client's copy (If-None-Match, compared weakly) is still
    the one."""
    # weak: Streamlit's server may gzip the body, and the same data stays the same tag
    headers = {"ETag": f"W/{found.etag}", "Cache-Control": CACHE_CONTROL}
    wanted = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if found.etag in [tag.removeprefix("W/") for tag in wanted] or "*" in wanted:
        # the Vary a 200 would have: Streamlit's gzip adds Accept-Encoding to a body, not here
        return Response(status_code=304, headers={**headers, "Vary": "Accept-Encoding"})
    # for HEAD the server sends the headers (the body's length included) and not the body
    return Response(found.body, media_type=found.media_type, headers=headers)


Handler = Callable[[Request], Awaitable[Response]]


def served(make: Callable[[Request], Document]) -> Handler:
    """A GET handler: open data on, the client within its limit, make(request) in one of the
    API's threads (WORKERS); an unknown mission or table a 404, a database away a 503."""

    async def handle(request: Request) -> Response:
        settings = get_settings()
        if not settings.public_read:
            return error(request, 403)
        wait = OPEN_DATA.take(client_of(request), settings.open_data_requests_per_minute)
        if wait > 0:
            return error(request, 429, **{"Retry-After": str(math.ceil(wait))})
        try:
            found = await anyio.to_thread.run_sync(make, request, limiter=WORKERS)
        except NotFound as missing:
            return error(request, 404, f"unknown_{missing.what}")
        except SQLAlchemyError:
            return error(request, 503, **{"Retry-After": "30"})
        return answer(request, found)

    return handle


def _missions(_request: Request) -> Document:
    return missions_document()


def _package(request: Request) -> Document:
    return package_document(request.path_params["key"])


def _table(request: Request) -> Document:
    return table_document(request.path_params["key"], request.path_params["name"])


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (404, 405, ...) and anything unforeseen (500) as JSON, with the
    headers the error carries (405's Allow)."""
    if not isinstance(exc, HTTPException):
        return error(request, 500)
    return error(request, exc.status_code, **dict(exc.headers or {}))


VERSION = API_PATH.removeprefix(MOUNT)  # /v1
METHODS = ["GET", "HEAD"]
API = Starlette(
    routes=[
        Route(f"{VERSION}/missions", served(_missions), methods=METHODS),
        Route(f"{VERSION}/missions/{{key}}/datapackage.json", served(_package), methods=METHODS),
        Route(f"{VERSION}/missions/{{key}}/{{name}}", served(_table), methods=METHODS),
    ],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=METHODS,
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Retry-After"],
            max_age=86400,
        )
    ],
    exception_handlers={HTTPException: _http_error, Exception: _http_error},
)
ROUTES = [Mount(MOUNT, app=API)]
