"""Why a change to the portfolio (or to the mission method's steps and levels) was not saved,
worded in the reader's language."""

from collections.abc import Collection

from pydantic import ValidationError

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time
from dashboard.i18n.validation import describe
from dashboard.services.permissions import PermissionDenied
from dashboard.services.portfolio_edit import PortfolioRefused, StaleRow
from dashboard.ui.context import lang, t

# what a save on the portfolio's and the mission method's forms can meet; refusal words each
FAILURES = (ValidationError, PortfolioRefused, StaleRow, PermissionDenied, DatabaseBusy)


def refusal(exc: Exception, own: Collection[str] = (), family: str = "portfolio") -> list[str]:
    """Why a change was not saved, in the UI language (a refusal whose code is in own is
    worded from family's messages, e.g. method.refused.<code>)."""
    if isinstance(exc, ValidationError):
        return describe(exc, lang())
    if isinstance(exc, PortfolioRefused):
        return [
            t(f"{family if exc.code in own else 'portfolio'}.refused.{exc.code}", **exc.details)
        ]
    if isinstance(exc, StaleRow):
        who = exc.changed_by or t("workflow.someone")
        if exc.changed_at is None:
            return [t("portfolio.stale_unknown", who=who)]
        return [t("portfolio.stale", who=who, when=local_time(exc.changed_at, lang()))]
    if isinstance(exc, DatabaseBusy):
        return [t("app.database_busy")]
    return [t("auth.not_allowed")]
