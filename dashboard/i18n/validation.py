"""Validation errors from the models, as messages a user can act on, in the UI language."""

from pydantic import ValidationError

from dashboard.i18n import catalogue, translate
from dashboard.i18n.formatting import number


def field_label(lang: str, field: str) -> str:
    """The label of an input field (its column heading when there is one)."""
    key = f"col.{field}"
    return translate(lang, key) if key in catalogue(lang) else field


def describe(exc: ValidationError, lang: str) -> list[str]:
    """One message per problem: which field, what is wrong, what is allowed."""
    messages = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "-"
        context = {
            k: number(v, lang) if isinstance(v, float) else v  # 90000.0 -> "90 000"
            for k, v in (error.get("ctx") or {}).items()
            if isinstance(v, int | float | str)
        }
        key = f"validation.{error['type']}.{field}"  # a field's own wording, when it has one
        if key not in catalogue(lang):
            key = f"validation.{error['type']}"
        text = (
            translate(lang, key, **context)
            if key in catalogue(lang)
            else translate(lang, "validation.other", detail=error["msg"])
        )
        messages.append(
            translate(lang, "validation.field", field=field_label(lang, field), text=text)
        )
    return messages
