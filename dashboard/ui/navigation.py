"""The pages of the app and the one function that builds navigation per role."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.services.permissions import PERMISSIONS, Action
from dashboard.settings import ROOT
from dashboard.ui.context import t
from models import Role

PAGES_DIR = ROOT / "pages"
HOME_PATH = "hjem"  # the root's page, which goes on to the role's first page


@dataclass(frozen=True)
class PageSpec:
    """A page: its script, title key, URL path, icon, the action it needs (None: anyone), and
    the roles that land on it (their default page)."""

    script: str
    title_key: str
    url_path: str
    icon: str
    action: Action | None = None
    default_for: frozenset[Role] = frozenset()

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may open the page, from the role x action table."""
        return frozenset(r for r in Role if self.action is None or self.action in PERMISSIONS[r])


INTERNAL = frozenset({Role.OPERATIVE, Role.STEERING, Role.ADMIN})
PAGES: tuple[PageSpec, ...] = (
    # the internal roles land on what needs them now; partners and visitors on the mission
    PageSpec("start.py", "page.start", "start", ":material/home:", default_for=INTERNAL),
    PageSpec(
        "oversikt.py",
        "page.overview",
        "oversikt",
        ":material/dashboard:",
        default_for=frozenset({Role.PARTNER}),
    ),
    PageSpec("mal.py", "page.goals", "mal", ":material/flag:"),
    PageSpec("portefolje.py", "page.portfolio", "portefolje", ":material/view_list:"),
    PageSpec("satsing.py", "page.initiative", "satsing", ":material/work:"),
    PageSpec("organisasjoner.py", "page.organisations", "organisasjoner", ":material/apartment:"),
    PageSpec("indikatorer.py", "page.indicators", "indikatorer", ":material/monitoring:"),
    PageSpec("statusrapporter.py", "page.reports", "statusrapporter", ":material/summarize:"),
    PageSpec("styring.py", "page.governance", "styring", ":material/account_tree:"),
    PageSpec("kunnskapsgrunnlag.py", "page.knowledge", "kunnskapsgrunnlag", ":material/menu_book:"),
    PageSpec(
        "rapportering.py",
        "page.reporting",
        "rapportering",
        ":material/edit_note:",
        # not ENTER_VALUES: that is scoped to an organisation, and an operative account
        # without one may still approve colleagues' values (its grid says what is missing)
        action=Action.APPROVE_VALUES,
    ),
    PageSpec(
        "administrasjon.py",
        "page.admin",
        "administrasjon",
        ":material/admin_panel_settings:",
        action=Action.MANAGE_USERS,
    ),
    # the open-data API explained, open to everyone who may read (issue 20)
    PageSpec("apne_data.py", "page.open_data", "apne-data", ":material/dataset:"),
    PageSpec("konto.py", "page.account", "konto", ":material/account_circle:"),
    # the accessibility statement, open to everyone (also where only signing in is open)
    PageSpec(
        "tilgjengelighet.py", "page.accessibility", "tilgjengelighet", ":material/accessibility:"
    ),
)
ACCOUNT, ACCESSIBILITY = PAGES[-2:]


def pages_for(role: Role) -> list[PageSpec]:
    """The pages a role may open, in menu order."""
    return [spec for spec in PAGES if role in spec.roles]


START = PAGES[0]


def allowed_paths(role: Role) -> set[str]:
    """The URL paths a role may open (and the root, which goes on to its first page)."""
    return {HOME_PATH, ""} | {spec.url_path for spec in pages_for(role)}


def home_page(role: Role) -> Path:
    """The script of the first page a role sees (Min side or Oversikt)."""
    spec = next(s for s in pages_for(role) if role in s.default_for)
    return PAGES_DIR / spec.script


def landing_page(role: Role) -> PageSpec | None:
    """The page a role lands on right after signing in: the internal roles' start page
    (None for partners, who stay where they signed in)."""
    return START if role in START.default_for else None


def build_navigation(
    role: Role, refuse: Callable[[PageSpec], None], *, only_sign_in: bool = False
) -> list[st.Page]:
    """The st.Page objects for a role: its pages in the menu, and every other page hidden.

    The root is a hidden page that goes on to the role's first page (Min side or Oversikt),
    so each page keeps its own address. A hidden page runs refuse(spec) instead of its
    script, so a deep link to a page the role may not open is refused (and logged) without
    any of the page's code running. With only_sign_in (anonymous visitors when the public
    view is off) the sign-in page and the accessibility statement are all.
    """
    mine = [ACCOUNT, ACCESSIBILITY] if only_sign_in else pages_for(role)
    home = ACCOUNT if only_sign_in else next(s for s in mine if role in s.default_for)
    pages = [
        # the app's root only goes on to the role's first page, so that every page keeps its
        # own address (a default page has none: /oversikt gave Streamlit's "Page not found")
        st.Page(
            _go_to(home),
            title=t(home.title_key),
            url_path=HOME_PATH,
            icon=home.icon,
            default=True,
            visibility="hidden",
        )
    ]
    pages += [_file_page(spec, t(spec.title_key)) for spec in mine]
    for spec in PAGES:
        if spec not in mine:
            pages.append(
                st.Page(
                    _refusal(spec, refuse),
                    title=t(spec.title_key),
                    url_path=spec.url_path,
                    icon=spec.icon,
                    visibility="hidden",
                )
            )
    return pages


_file_pages: dict[tuple[PageSpec, str], st.Page] = {}


def _file_page(spec: PageSpec, title: str) -> st.Page:
    """The st.Page of spec's script: a copy of one made once per title (making one resolves
    its path on disk, a tenth of a millisecond per page on every run). A copy per run, as
    st.navigation marks the page it returns (the one run may call)."""
    key = (spec, title)
    if (page := _file_pages.get(key)) is None:
        page = st.Page(PAGES_DIR / spec.script, title=title, url_path=spec.url_path, icon=spec.icon)
        _file_pages[key] = page
    return copy.copy(page)


def _go_to(spec: PageSpec) -> Callable[[], None]:
    def go() -> None:
        # a link to the root keeps its query string on the page it goes on to
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        st.switch_page(PAGES_DIR / spec.script, query_params=params)

    go.__name__ = f"home_{spec.url_path}"
    return go


def _refusal(spec: PageSpec, refuse: Callable[[PageSpec], None]) -> Callable[[], None]:
    def refused() -> None:
        refuse(spec)

    refused.__name__ = f"refused_{spec.url_path}"
    return refused
