"""Small building blocks every page uses: headings, empty states, charts with tables, downloads."""

import importlib
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

import altair as alt
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

from dashboard.services.exports import (
    neutralise,
    restored_cells,
    safe_cells,
    safe_frame,
    to_csv,
    to_excel,
)
from dashboard.ui.context import lang, sees_suppressed, t
from dashboard.ui.data import MISSION_PARAM, mission_key
from dashboard.ui.suppression import hidden_note

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~=@])")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)  # four spaces would start a code block


def esc(text: object) -> str:
    """Text safe to put inside Streamlit markdown: no formatting, links, images, LaTeX, directives.

    Bare e-mail addresses and www. addresses are still autolinked by the renderer whatever the
    escaping; such a link shows exactly its own target, so it cannot disguise where it leads.
    """
    plain = _INDENT.sub("", "" if text is None else str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain)


def mission_text(text: str) -> None:
    """A paragraph of the mission's own text (written in bokmål). Read in English, it is marked
    lang="nb" so a screen reader reads it with a Norwegian voice; esc() has escaped every "<",
    so the text itself can add no HTML."""
    if lang() == "nb":
        st.markdown(esc(text))
    else:
        st.markdown(f'<span lang="nb">{esc(text)}</span>', unsafe_allow_html=True)


def page_header(title_key: str, intro_key: str | None = None) -> None:
    """The page's single h1 and a one-line introduction."""
    st.title(t(title_key))
    if intro_key:
        st.caption(t(intro_key))


def empty_state(what_key: str, who_key: str) -> None:
    """Say what is missing and who can fill it."""
    st.info(f"{t(what_key)} {t(who_key)}", icon=":material/info:")


def note(text: str | None, *, proposal: bool = False) -> None:
    """A caveat from the sources (or a 'proposal' marker) shown beside the data."""
    if proposal:
        st.caption(f":material/edit_note: **{t('common.proposal')}**: {t('common.proposal_help')}")
    if text:
        st.caption(f":material/info: {esc(text)}")


@st.cache_data(show_spinner=False, max_entries=256)
def _spec(builder: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec a chart builder makes; built and validated once per input."""
    module, name = builder.rsplit(".", 1)
    chart = getattr(importlib.import_module(module), name)(**kwargs)
    spec: dict[str, Any] = chart.to_dict(validate=False)  # the unit tests validate the builders
    return spec


def chart_spec(builder: Callable[..., alt.TopLevelMixin], **kwargs: Any) -> dict[str, Any]:
    """A chart's spec from cache (Altair's build and validation cost ~50 ms a chart)."""
    return _spec(f"{builder.__module__}.{builder.__qualname__}", kwargs)


def data_table(frame: pd.DataFrame, **kwargs: Any) -> Any:
    """st.dataframe for every table the app shows: the toolbar's «Download as CSV» writes
    what is shown, so text a spreadsheet would run as a formula is shown with the apostrophe
    the app's own downloads put before it (dashboard.services.exports.neutralise)."""
    if isinstance(config := kwargs.get("column_config"), dict):
        kwargs["column_config"] = {str(neutralise(str(k))): v for k, v in config.items()}
    return st.dataframe(_shown_table(frame), **kwargs)


_shown_tables: dict[int, tuple[weakref.ref[pd.DataFrame], pa.Table]] = {}


def _shown_table(frame: pd.DataFrame) -> pa.Table:
    """safe_frame(frame) as the Arrow table st.dataframe sends (made by Streamlit's own
    conversion, so what is shown is the same), once per frame object: a table every session
    shares (dashboard.ui.data.derived) is neutralised and converted once, not on every run."""
    kept = _shown_tables.get(id(frame))
    if kept is not None and kept[0]() is frame:
        return kept[1]
    table = convert_pandas_df_to_arrow_table(safe_frame(frame))
    _shown_tables[id(frame)] = (weakref.ref(frame), table)
    weakref.finalize(frame, _shown_tables.pop, id(frame), None)
    return table


# Cells nobody can edit are drawn on this grey, editable ones on white (issue 15): Streamlit's
# grid draws both alike, and typing into a read-only cell does nothing at all. #111111 text on
# it is 16:1.
READ_ONLY_BACKGROUND = "#ebebe8"


def data_editor(
    frame: pd.DataFrame, *, read_only: Sequence[str] = (), **kwargs: Any
) -> pd.DataFrame:
    """st.data_editor shown like data_table (its toolbar downloads too); returns the edited
    frame with the cells nobody changed as frame holds them, and the changed ones as typed.

    The read_only columns cannot be edited. They are drawn grey, their headers' help says so,
    and a caption above the grid names the columns one types into."""
    shown = safe_cells(frame)
    config: dict[str, Any] = dict(kwargs.pop("column_config", None) or {})
    for column in read_only:
        setting = config.get(column)
        setting = {"label": setting} if isinstance(setting, str) else dict(setting or {})
        setting["help"] = " ".join(filter(None, [setting.get("help"), t("a11y.read_only_help")]))
        config[column] = setting
    editable = [_label(config, column) for column in frame.columns if column not in read_only]
    if read_only and editable:
        st.caption(t("a11y.editable_columns", columns=", ".join(editable)))
    styled = (
        shown.style.set_properties(
            subset=list(read_only), **{"background-color": READ_ONLY_BACKGROUND}
        )
        if read_only
        else shown
    )
    edited: pd.DataFrame = st.data_editor(
        styled, disabled=list(read_only), column_config=config, **kwargs
    )
    same_cells = edited.index.equals(frame.index) and list(edited.columns) == list(frame.columns)
    if not same_cells:
        return restored_cells(edited)  # rows added or removed: take the apostrophes off
    unchanged = (edited == shown) | (edited.isna() & shown.isna())
    return frame.where(unchanged, edited)


def _label(config: dict[str, Any], column: object) -> str:
    """A column's header as column_config sets it (a label, or a setting with one)."""
    setting = config.get(str(column))
    if isinstance(setting, str):
        return setting
    return str((setting or {}).get("label") or column)


def chart_with_table(spec: dict[str, Any], alt_text: str, table: pd.DataFrame) -> None:
    """A chart, its text alternative, and its data as a table."""
    st.vega_lite_chart(spec, width="stretch", alt=alt_text)
    st.caption(f"{t('chart.alt_label')}: {esc(alt_text)}")
    with st.expander(t("chart.data_table")):
        data_table(table, hide_index=True, width="stretch")


def downloads(frame: pd.DataFrame, base_name: str, key: str) -> None:
    """CSV (Norwegian Excel-friendly) and Excel download buttons for a table."""
    left, right = st.columns(2)
    left.download_button(
        t("download.csv"),
        data=partial(to_csv, frame),  # built when clicked, not on every rerun
        file_name=f"{base_name}.csv",
        mime="text/csv",
        key=f"{key}-csv",
        icon=":material/download:",
    )
    right.download_button(
        t("download.excel"),
        data=partial(to_excel, frame),
        file_name=f"{base_name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx",
        icon=":material/download:",
    )


def page_params(
    params: Mapping[str, object] | None = None, mission: str | None = None
) -> dict[str, str]:
    """The query parameters of a link to another page: params, and the mission (the one this
    tab shows unless mission names another), so that the page opened shows the same one."""
    given = {k: str(v) for k, v in (params or {}).items()}
    return given | {MISSION_PARAM: mission or mission_key()}


def page_href(path: str, mission: str | None = None, **params: object) -> str:
    """A relative link to the page at URL path, with query parameters and the mission (see
    page_params), e.g. "satsing?nr=9&oppdrag=KEY"."""
    return f"{path}?{urlencode(page_params(params, mission), quote_via=quote)}"


def link_to(script: str, label: str, **params: object) -> None:
    """A link to another page of the app, with query parameters (e.g. nr=9) and the mission."""
    from dashboard.ui.navigation import PAGES_DIR

    st.page_link(PAGES_DIR / script, label=label, query_params=page_params(params))


def link_table(frame: pd.DataFrame, link_column: str) -> None:
    """A table whose link_column holds relative links to other pages, shown as 'Åpne'."""
    data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_config={link_column: st.column_config.LinkColumn(display_text=t("common.open"))},
    )


def field_table(fields: dict[str, object]) -> None:
    """A two-column 'field: value' table (profile, metadata); st.table renders markdown."""
    # neutralised as data_table's cells are (a few cells: directly, not through pandas)
    st.table(
        pd.DataFrame(
            {
                str(neutralise(t("col.field"))): [neutralise(k) for k in fields],
                str(neutralise(t("col.value"))): [neutralise(esc(v)) for v in fields.values()],
            }
        )
    )


def counts_table(counts: pd.Series, heading: str, show: Callable[[object], str]) -> None:
    """A small table of counts per value (for splits too small to need a chart)."""
    frame = pd.DataFrame(
        {heading: [show(v) for v in counts.index], t("col.count"): counts.to_numpy()}
    )
    data_table(frame, hide_index=True, width="stretch")


def suppression_caption(hides: bool) -> None:
    """Under a table that hides a small number (hides): what «:» means for partners and
    visitors, or what the marker means for the internal roles."""
    if hides:
        st.caption(hidden_note(lang(), internal=sees_suppressed()))
