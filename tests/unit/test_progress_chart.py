"""The indicator chart marks values that are not approved: hollow points, a legend, the alt text."""

import datetime as dt

import pandas as pd

from dashboard.ui.charts import describe_indicator, indicator_chart, indicator_points

SERIES = pd.DataFrame(
    {
        "period": ["2023", "2024", "2025"],
        "start": [dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1)],
        "end": [dt.date(2023, 12, 31), dt.date(2024, 12, 31), dt.date(2025, 12, 31)],
        "value": [11.0, 10.5, 10.0],
        "status": ["approved", "submitted", "draft"],
    }
)


def points(series: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    return indicator_points(
        series, baseline_value=12, baseline_year=2020, target_value=8, target_year=2030, lang=lang
    )


def test_unapproved_values_are_hollow_points_with_a_legend() -> None:
    marked = points(SERIES)
    values = marked[marked.key == "value"]
    assert list(values["state"]) == ["Godkjent", "Sendt inn", "Utkast"]
    assert list(values["pending"]) == [False, True, True]
    assert not marked[marked.key != "value"]["pending"].any()
    spec = indicator_chart(marked, y_title="%", lang="nb").to_dict(validate=True)
    assert len(spec["layer"]) == 4  # values, baseline/target, trajectory, unapproved
    hollow = spec["layer"][-1]
    assert hollow["encoding"]["fill"] == {"value": "white"}
    assert hollow["encoding"]["shape"]["title"] == "Ikke godkjent"
    assert hollow["transform"] == [{"filter": "datum.pending"}]


def test_approved_values_only_add_no_layer() -> None:
    approved = SERIES.assign(status="approved")
    spec = indicator_chart(points(approved), y_title="%", lang="nb").to_dict(validate=True)
    assert len(spec["layer"]) == 3
    assert not points(SERIES.drop(columns=["status"]))["pending"].any()  # no status: approved


def test_the_text_alternative_counts_the_unapproved_values() -> None:
    nb = describe_indicator(points(SERIES), name="Andel", measure="percent", unit=None, lang="nb")
    assert "2 av de målte verdiene er ikke godkjent ennå (sendt inn, utkast)" in nb
    en = describe_indicator(
        points(SERIES, "en"), name="Share", measure="percent", unit=None, lang="en"
    )
    assert "2 of the measured values are not approved yet (draft, submitted)" in en
    approved = SERIES.assign(status="approved")
    plain = describe_indicator(points(approved), name="A", measure="percent", unit=None, lang="nb")
    assert "ikke godkjent" not in plain
