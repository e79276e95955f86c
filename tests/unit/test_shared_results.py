"""Query results are shared by every session (dashboard.ui.data.query): the tests' check that
no page changes one catches a change, and does not mistake a read for one."""

import dataclasses
import gc

import pandas as pd
import pytest

from dashboard.ui.data import SharedResultChanged, check_shared, forget_shared


@dataclasses.dataclass
class Detail:
    name: str
    values: list[float]
    frame: pd.DataFrame


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"code": ["A", "B"], "value": [1.0, float("nan")], "year": [2022, None]})


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_shared()


def test_reading_a_shared_frame_is_not_a_change() -> None:
    frame = _frame()
    check_shared(frame, "q")
    shown = pd.DataFrame({"x": frame["code"], "y": frame["value"].fillna(0)})
    shown["z"] = 1
    shown.loc[0, "x"] = "changed in the copy"
    _ = frame.to_dict("records")
    check_shared(frame, "q")
    check_shared()


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.__setitem__("new", 1),
        lambda f: f.loc.__setitem__((0, "code"), "Z"),
        lambda f: f.sort_values("code", ascending=False, inplace=True),
        lambda f: f.rename(columns={"code": "kode"}, inplace=True),
    ],
)
def test_a_changed_frame_is_caught(change) -> None:  # type: ignore[no-untyped-def]
    frame = _frame()
    check_shared(frame, "dashboard.services.x.table")
    change(frame)
    with pytest.raises(SharedResultChanged, match=r"dashboard\.services\.x\.table"):
        check_shared(frame)


def test_a_change_deep_in_a_result_is_caught() -> None:
    detail = Detail("a", [1.0, 2.0], _frame())
    result = {"detail": detail, "rows": [(1, "x")]}
    check_shared(result, "q")
    check_shared(result, "q")
    detail.values.append(3.0)
    with pytest.raises(SharedResultChanged):
        check_shared()
    forget_shared()
    check_shared(result, "q")
    detail.frame.iloc[1, 1] = 5.0
    with pytest.raises(SharedResultChanged):
        check_shared(result, "q")


def test_a_shared_table_is_neutralised_and_converted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.ui import widgets

    made: list[int] = []
    neutralised = widgets.safe_frame
    monkeypatch.setattr(widgets, "safe_frame", lambda f: made.append(1) or neutralised(f))
    monkeypatch.setattr(widgets.st, "dataframe", lambda data, **_: data)
    frame = pd.DataFrame({"note": ["=1+1", "ok"]})
    first, again = widgets.data_table(frame), widgets.data_table(frame)
    assert first is again and len(made) == 1
    assert first.to_pandas()["note"].tolist() == ["'=1+1", "ok"]
    other = frame.copy()  # another frame with the same cells is its own
    assert widgets.data_table(other) is not first and len(made) == 2
    kept = id(frame)
    del frame, first, again
    gc.collect()
    assert kept not in widgets._shown_tables  # forgotten with its frame


def test_results_of_an_older_data_version_are_let_go(app_env: str) -> None:
    import weakref

    from dashboard.db import session_scope
    from dashboard.services.portfolio import categories
    from dashboard.ui.data import query

    first = query(categories)
    assert query(categories) is first  # shared while nothing changes
    gone = weakref.ref(first)
    with session_scope(write=True):
        pass  # a write raises the data version
    again = query(categories)
    assert again is not first and again.equals(first)
    del first
    forget_shared()  # the tests' own copies
    gc.collect()
    assert gone() is None


def test_a_view_worked_out_after_a_commit_in_the_run_is_not_kept(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's query results may predate a commit made during the run (another session's
    save): what derived() works out from them then is not stored under the newer version."""
    from types import SimpleNamespace

    from dashboard.db import session_scope
    from dashboard.ui import data

    run = SimpleNamespace(cursors={})
    monkeypatch.setattr(data, "get_script_run_ctx", lambda: run)
    made: list[int] = []

    def view(value: int) -> pd.DataFrame:
        made.append(value)
        return pd.DataFrame({"v": [value]})

    monkeypatch.setattr(data, "_view", view, raising=False)
    view.__module__, view.__qualname__ = data.__name__, "_view"
    first = data.derived(view, "k", 1)
    assert data.derived(view, "k", 1) is first and made == [1]  # kept within the version
    with session_scope(write=True):
        pass  # a commit during the run
    data.derived(view, "k2", 2)
    data.derived(view, "k2", 2)
    assert made == [1, 2, 2]  # worked out each time, not kept
    run.cursors = {}  # the next run reads the new version first
    kept = data.derived(view, "k2", 2)
    assert data.derived(view, "k2", 2) is kept and made == [1, 2, 2, 2]


def test_a_long_pickers_labels_are_shared_by_every_session(app_env: str) -> None:
    """Satsing's picker: its options and labels are made once per data version and every run
    gets the same objects (a select box keeps what it is given for its session's life)."""
    from dashboard.services.common import mission_by_key
    from dashboard.services.portfolio import initiative_choices
    from dashboard.settings import get_settings
    from dashboard.ui.choices import shared_choices
    from dashboard.ui.data import query

    mission = query(mission_by_key, get_settings().mission_key)
    pairs = query(initiative_choices, mission.id)
    first = shared_choices(pairs, "{key}. {name}", ("initiatives", mission.id))
    again = shared_choices(
        query(initiative_choices, mission.id), "{key}. {name}", ("initiatives", mission.id)
    )
    assert again is first and again.options is first.options
    number, name = pairs[0]
    assert first.options[0] == number and first.label(number) == f"{number}. {name}"
    assert len(first.options) == len(pairs) == 34
    other = shared_choices(pairs, "{name} ({key})", ("initiatives", mission.id))
    assert other is not first and other.label(number) == f"{name} ({number})"
