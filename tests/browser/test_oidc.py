"""Sign-in through a real OpenID Connect provider process (oidc-provider-mock) in Chromium."""

import json
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select
from support import server
from support.browser import screenshot, wait_ready

from bench.server import free_port
from dashboard.db import make_engine, session_scope
from dashboard.services.missions import set_role
from models import Mission, Organisation, Role, User

pytestmark = pytest.mark.browser

# e-mail -> (role, organisation key); the provider vouches for the e-mail, our table for the rest
ACCOUNTS = {
    "kari.operativ@udir.no": (Role.OPERATIVE, "Udir"),
    "sekretariat@forskningsradet.no": (Role.ADMIN, "Forskningsrådet"),
    "dg@bfd.dep.no": (Role.STEERING, "BFD"),
}
STRANGER = "ukjent@kommune.no"
MENU = ["Min side", "Oversikt", "Mål", "Portefølje", "Satsing", "Organisasjoner"]
MENU += ["Indikatorer"]
MENU += ["Statusrapporter", "Styring"]
MENU += ["Kunnskapsgrunnlag"]


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """oidc-provider-mock in its own process on a free loopback port; yields its issuer URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{issuer}/.well-known/openid-configuration"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the OIDC provider did not start:\n{log.read_text()}")
            time.sleep(0.2)
        for email in [*ACCOUNTS, STRANGER]:
            request = urllib.request.Request(
                f"{issuer}/users/{urllib.parse.quote(email)}",
                data=json.dumps({"email": email, "name": email.split("@")[0]}).encode(),
                headers={"Content-Type": "application/json"},
                method="PUT",
            )
            urllib.request.urlopen(request, timeout=5).close()
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (TimeoutError, urllib.error.URLError, ConnectionError):
        return False


def add_accounts(database_url: str) -> None:
    """Accounts without passwords: these users only ever sign in through the provider."""
    engine = make_engine(database_url)
    with session_scope(write=True, engine=engine) as session:
        mission = session.exec(select(Mission.id)).one()
        for email, (role, org_key) in ACCOUNTS.items():
            org = session.exec(select(Organisation.id).where(Organisation.key == org_key)).one()
            user = User(email=email, name=email, organisation_id=org)
            session.add(user)
            session.flush()
            set_role(session, user.id or 0, mission or 0, role)  # their role in the mission
    engine.dispose()


@pytest.fixture(scope="module")
def oidc_app(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with [auth] pointing at the provider; strangers get no access (the default)."""
    if server.chromium_missing():
        pytest.skip(server.CHROMIUM_MISSING)
    port = free_port()
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "oppdragsdashbord"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with server.app_server(
        prepare=add_accounts,
        port=port,
        extra_args=["--secrets.files", str(secrets_file)],
        env={"OIDC_UNKNOWN_USERS": "none"},
    ) as url:
        yield url


def sign_in_with_provider(page: Page, app: str, email: str) -> None:
    """Konto -> the provider's form -> authorize as email -> back in the app."""
    page.goto(f"{app}/konto")
    wait_ready(page)
    page.get_by_role("button", name="Logg inn med virksomhetens innlogging").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/**")
    wait_ready(page)


def menu(page: Page) -> list[str]:
    """The page titles in the sidebar menu."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]  # after the icon


@pytest.mark.parametrize(
    ("email", "expected_menu"),
    [
        ("kari.operativ@udir.no", [*MENU, "Rapportering", "Åpne data", "Konto", "Tilgjengelighet"]),
        ("dg@bfd.dep.no", [*MENU, "Åpne data", "Konto", "Tilgjengelighet"]),
        (
            "sekretariat@forskningsradet.no",
            [*MENU, "Administrasjon", "Åpne data", "Konto", "Tilgjengelighet"],
        ),
    ],
)
def test_sign_in_through_the_provider_gives_the_role_from_our_table(
    page: Page, oidc_app: str, email: str, expected_menu: list[str]
) -> None:
    sign_in_with_provider(page, oidc_app, email)
    role = {Role.OPERATIVE: "operativ gruppe", Role.ADMIN: "sekretariat"}
    role[Role.STEERING] = "styringsgruppe"
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text(f"Innlogget som {email} ({role[ACCOUNTS[email][0]]})")
    assert menu(page) == expected_menu
    page.goto(f"{oidc_app}/administrasjon")
    wait_ready(page)
    allowed = "Administrasjon" in expected_menu
    heading = page.get_by_role("heading", name="Administrasjon", level=1)
    expect(heading).to_have_count(1 if allowed else 0)
    if not allowed:
        expect(page.get_by_text("Du har ikke tilgang til denne siden.")).to_be_visible()
    screenshot(page, f"oidc-{email.split('@')[0]}")
    page.goto(f"{oidc_app}/konto")
    wait_ready(page)
    expect(page.get_by_text("Bytt passord")).to_have_count(0)  # the provider owns passwords
    page.get_by_role("button", name="Logg ut").click()  # ends the provider's session too
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{oidc_app}/**")
    wait_ready(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Du ser dashbordet som partner")


def test_an_unknown_e_mail_gets_no_access(page: Page, oidc_app: str) -> None:
    sign_in_with_provider(page, oidc_app, STRANGER)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("har ikke tilgang til dashbordet")
    expect(sidebar).not_to_contain_text("Innlogget som")
    assert "Administrasjon" not in menu(page)
    screenshot(page, "oidc-stranger")
