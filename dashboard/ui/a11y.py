"""What assistive technology is told that Streamlit cannot set itself: the page's language, and
an accessible name for the Graphviz picture (issue 15).

Streamlit's page always says <html lang="en">, so a screen reader read Norwegian with an English
voice; and it draws Graphviz as an unnamed SVG, which Chromium named with every label in it.
Both are set by a small script in the page; the script only touches attributes.
"""

import json

import streamlit as st

# Names every Graphviz picture on the page, now and whenever Streamlit draws it again (the
# observer watches for new elements only, so setting attributes never wakes it).
_GRAPHVIZ = """
window.dashboardGraphicName = NAME;
const nameGraphics = () => document
  .querySelectorAll('[data-testid="stGraphVizChart"] svg')
  .forEach((svg) => {
    if (svg.getAttribute("aria-label") !== window.dashboardGraphicName) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", window.dashboardGraphicName);
    }
  });
if (!window.dashboardGraphicObserver) {
  window.dashboardGraphicObserver = new MutationObserver(nameGraphics);
  window.dashboardGraphicObserver.observe(document.body, {childList: true, subtree: true});
}
nameGraphics();
"""


def _js(value: str) -> str:
    """A JavaScript string literal that cannot end the script element it stands in."""
    return json.dumps(value).replace("<", "\\u003c")


def _script(code: str) -> None:
    st.html(f"<script>{code}</script>", unsafe_allow_javascript=True)


def page_language(lang: str) -> None:
    """Say the page's language (nb or en) on <html lang>, so it is read with the right voice."""
    _script(f"document.documentElement.lang = {_js(lang)};")


def graphviz_name(name: str) -> None:
    """Give the Graphviz picture on this page an accessible name (role img): what it shows in
    one sentence, and where the same is said in text."""
    _script(_GRAPHVIZ.replace("NAME", _js(name)))
