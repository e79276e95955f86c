"""Opening the app's pages in AppTest as a demo account (or a visitor) on the seeded app
database the app_env fixture names."""

import datetime as dt
import os
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from dashboard.db import make_engine
from dashboard.services.permissions import Actor
from dashboard.services.users import actor_of
from models import User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def engine() -> Engine:
    """The app database's engine (DATABASE_URL, as app_env sets it)."""
    return make_engine(os.environ["DATABASE_URL"])


def actor(email: str) -> Actor:
    """The actor of an account in the app database."""
    with Session(engine()) as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())


def open_page(email: str | None, page: str, **params: str) -> AppTest:
    """pages/<page>.py run as email (None: a visitor) with the query params, without an
    exception."""
    at = AppTest.from_file(APP, default_timeout=60)
    if email:
        at.session_state["actor"] = actor(email)
    at.run()
    at.switch_page(f"../pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def fill_period_form(
    at: AppTest, label: str, kind: str, start: dt.date, end: dt.date, due: dt.date | None = None
) -> None:
    """Fill in Administrasjon's new-period form and create the period."""
    [name] = [w for w in at.text_input if w.label == "Periode"]
    name.input(label)
    [chosen] = [w for w in at.selectbox if w.label == "Type"]
    chosen.set_value(kind)
    for text, day in (("Fra", start), ("Til", end)):
        [field] = [w for w in at.date_input if w.label == text]
        field.set_value(day)
    if due is not None:
        [deadline] = [w for w in at.date_input if w.label == "Frist"]
        deadline.set_value(due)
    [create] = [b for b in at.button if b.label == "Opprett periode"]
    create.click()
    at.run()
