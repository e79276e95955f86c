"""The pages of the app and the one function that builds navigation per role."""

from dataclasses import dataclass

import streamlit as st

from dashboard.settings import ROOT
from dashboard.ui.context import t
from models import Role

PAGES_DIR = ROOT / "pages"
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class PageSpec:
    """A page: its script, title key, URL path, icon and the roles that may open it."""

    script: str
    title_key: str
    url_path: str
    icon: str
    roles: frozenset[Role] = EVERYONE
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("oversikt.py", "page.overview", "oversikt", ":material/dashboard:", default=True),
    PageSpec("mal.py", "page.goals", "mal", ":material/flag:"),
    PageSpec("portefolje.py", "page.portfolio", "portefolje", ":material/view_list:"),
    PageSpec("satsing.py", "page.initiative", "satsing", ":material/work:"),
    PageSpec("indikatorer.py", "page.indicators", "indikatorer", ":material/monitoring:"),
    PageSpec("styring.py", "page.governance", "styring", ":material/account_tree:"),
    PageSpec("kunnskapsgrunnlag.py", "page.knowledge", "kunnskapsgrunnlag", ":material/menu_book:"),
    PageSpec("konto.py", "page.account", "konto", ":material/account_circle:"),
)
ACCOUNT = PAGES[-1]


def pages_for(role: Role) -> list[PageSpec]:
    """The pages a role may open, in menu order."""
    return [spec for spec in PAGES if role in spec.roles]


def build_navigation(role: Role, *, only_sign_in: bool = False) -> list[st.Page]:
    """The st.Page objects for a role; pages the role may not open are never registered.

    With only_sign_in (anonymous visitors when the public view is off) the sign-in page is all.
    """
    specs = [ACCOUNT] if only_sign_in else pages_for(role)
    return [
        st.Page(
            PAGES_DIR / spec.script,
            title=t(spec.title_key),
            url_path=spec.url_path,
            icon=spec.icon,
            default=spec.default or only_sign_in,
        )
        for spec in specs
    ]
