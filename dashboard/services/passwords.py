"""The password rule: long enough, and not common, repeated or made from the user's own e-mail
or name, as zxcvbn (Dropbox's password strength estimator) judges it, with a short list of
Norwegian words and this app's own names added to its English dictionaries."""

import re
from enum import StrEnum
from functools import cache
from typing import Any

from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from models.users import PASSWORD_MIN_LENGTH

CHECKED_LENGTH = 72  # zxcvbn's own limit: what comes after adds strength it need not see
GOOD_ENOUGH = 3  # zxcvbn's score 0-4: 3 is "safely unguessable", about 10^8 guesses or more
# Common Norwegian password words (zxcvbn's lists are English), most common first, and the
# words of this app that a user here would reach for.
NORWEGIAN = [
    "passord",
    "hemmelig",
    "hemmelighet",
    "velkommen",
    "hallo",
    "heisann",
    "hei",
    "sommer",
    "vinter",
    "høst",
    "vår",
    "norge",
    "oslo",
    "bergen",
    "trondheim",
    "stavanger",
    "tromsø",
    "kristiansand",
    "drammen",
    "bodø",
    "fredrikstad",
    "sandnes",
    "jegelskerdeg",
    "elskerdeg",
    "kjæreste",
    "kjærlighet",
    "fotball",
    "rosenborg",
    "brann",
    "vålerenga",
    "molde",
    "viking",
    "mamma",
    "pappa",
    "katt",
    "hund",
    "hest",
    "bil",
    "båt",
    "hytte",
    "ferie",
    "sommerferie",
    "jul",
    "julaften",
    "påske",
    "bursdag",
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "søndag",
    "nordmann",
    "kongen",
    "ingenting",
    "tusenfryd",
    "dashbord",
    "samfunnsoppdrag",
    "samfunnsoppdraget",
    "inkludering",
    "barn",
    "unge",
    "utdanning",
    "forskningsrådet",
    "bufdir",
    "udir",
    "hdir",
    "avdir",
    "kulturtanken",
    "styringsgruppe",
    "styringsgruppa",
    "sekretariat",
    "sekretariatet",
    "operativ",
    "partner",
    "administrator",
    "admin",
    "demo",
]


class Weakness(StrEnum):
    """Why a password is refused (each has its message: auth.password_<value>)."""

    SHORT = "short"
    PERSONAL = "personal"
    REPEATED = "repeated"
    COMMON = "common"


@cache
def _with_norwegian() -> None:
    """Add the Norwegian list to zxcvbn's dictionaries, once per process."""
    add_frequency_lists({"norwegian": NORWEGIAN})


def personal_words(email: str | None, name: str | None) -> list[str]:
    """The e-mail address, its parts and the name's parts: what a password must not rest on."""
    words = [email] if email else []
    for text in (email or "", name or ""):
        words += [w for w in re.split(r"[\W_]+", text.lower()) if len(w) >= 3]
    return words


def _share(sequence: list[dict[str, Any]], length: int, pattern: str, source: str = "") -> float:
    """How much of the password the matches of pattern (from the dictionary source) cover."""
    covered = sum(
        len(m["token"])
        for m in sequence
        if m["pattern"] == pattern and (not source or m.get("dictionary_name") == source)
    )
    return covered / length


def weakness(
    password: str, *, email: str | None = None, name: str | None = None
) -> Weakness | None:
    """Why password is not good enough, or None: shorter than PASSWORD_MIN_LENGTH, made half or
    more of the user's e-mail or name, half or more repeats ('aaaa', 'abcabc'), or guessable
    (zxcvbn's score below 3: common passwords and words, sequences, keyboard patterns, dates).
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        return Weakness.SHORT
    _with_norwegian()
    checked = password[:CHECKED_LENGTH]
    result = zxcvbn(checked, user_inputs=personal_words(email, name))
    sequence = result["sequence"]
    if _share(sequence, len(checked), "dictionary", "user_inputs") >= 0.5:
        return Weakness.PERSONAL
    if _share(sequence, len(checked), "repeat") >= 0.5:
        return Weakness.REPEATED
    if result["score"] < GOOD_ENOUGH:
        return Weakness.COMMON
    return None
