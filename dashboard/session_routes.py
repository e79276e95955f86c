"""The HTTP routes that set and clear the sign-in cookie; the session rules are in services.

The script runs over a websocket and cannot set an HTTP cookie, so the tab that signed in has
its browser POST a one-time grant here, and the answer sets the HttpOnly cookie.
"""

from contextlib import suppress
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.services import sessions, users
from dashboard.services.sessions import COOKIE, DEVICE_COOKIE, DEVICE_DAYS, END_PATH, START_PATH
from dashboard.settings import get_settings

GRANT_MAX_LENGTH = 100


def same_origin(request: Request) -> bool:
    """Whether the request comes from a page of this site (no other site may sign anyone in)."""
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host")


def over_https(request: Request) -> bool:
    """Whether the browser reached us over https (directly, or through a proxy that says so)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or forwarded == "https"


def _set_cookie(
    request: Request, response: Response, value: str, max_age: int, name: str = COOKIE
) -> None:
    """Set (or, with max_age 0, clear) a cookie: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=over_https(request),
    )


async def start_session(request: Request) -> Response:
    """Exchange a sign-in grant (the request body) for a new session cookie."""
    if not same_origin(request):
        return Response(status_code=403)
    grant = (await request.body())[:GRANT_MAX_LENGTH].decode(errors="replace")
    old = request.cookies.get(COOKIE)
    try:
        token = await run_in_threadpool(sessions.exchange, grant, replaces=old)
    except SQLAlchemyError:  # the tab stays signed in by itself; a reload asks again
        return Response(status_code=503, headers={"Retry-After": "30"})
    if token is None:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    max_age = int(get_settings().session_max_days * 24 * 3600)
    _set_cookie(request, response, token, max_age)
    with suppress(SQLAlchemyError):  # without it, the browser is let in as before
        if device := await run_in_threadpool(_device_token, token):
            _set_cookie(request, response, device, DEVICE_DAYS * 24 * 3600, DEVICE_COOKIE)
    return response


def _device_token(token: str) -> str | None:
    """The device token for the account the new session's cookie signs in."""
    live = sessions.resolve_cookie(token)
    return users.device_token(live.user_id) if live else None


async def end_session(request: Request) -> Response:
    """Sign-out: end the session the cookie names and clear the cookie (the device cookie
    stays: this browser has still signed in to the account before)."""
    if not same_origin(request):
        return Response(status_code=403)
    if token := request.cookies.get(COOKIE):
        # the tab ended the session already; with the database away the cookie still goes
        with suppress(SQLAlchemyError):
            await run_in_threadpool(sessions.end_cookie, token)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    _set_cookie(request, response, "", 0)
    return response


ROUTES = [
    Route(START_PATH, start_session, methods=["POST"]),
    Route(END_PATH, end_session, methods=["POST"]),
]
