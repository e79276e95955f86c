"""What HAProxy answers when no app process does (502, 503, 504): the app's title and a short
message in bokmål and English, from dashboard/i18n, never HAProxy's own English page.

`python -m deploy.errors` writes them to deploy/errors/, where the configuration points
(deploy/haproxy.cfg.in); a test checks that the files there are current.
"""

import sys
from html import escape
from pathlib import Path

from dashboard.i18n import translate

DIRECTORY = Path(__file__).with_name("errors")
REASONS = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def page(code: int) -> bytes:
    """The whole HTTP response HAProxy sends as-is for code."""

    def text(lang: str, key: str) -> str:
        return escape(translate(lang, key))

    body = (
        "<!doctype html>\n"
        '<html lang="nb">\n'
        f'<head><meta charset="utf-8"><title>{text("nb", "app.title")}</title>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
        '<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; '
        'color: #111111">\n'
        f"<h1>{text('nb', 'app.offline_title')}</h1>\n"
        f"<p>{text('nb', 'app.offline_body')}</p>\n"
        f'<h2 lang="en">{text("en", "app.offline_title")}</h2>\n'
        f'<p lang="en">{text("en", "app.offline_body")}</p>\n'
        "</body>\n"
        "</html>\n"
    ).encode()
    head = (
        f"HTTP/1.1 {code} {REASONS[code]}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Cache-Control: no-store\r\n"
        "Retry-After: 10\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode()
    return head + body


def main() -> int:
    """Write every page to deploy/errors/."""
    DIRECTORY.mkdir(exist_ok=True)
    for code in REASONS:
        (DIRECTORY / f"{code}.http").write_bytes(page(code))
        print(DIRECTORY / f"{code}.http")
    return 0


if __name__ == "__main__":
    sys.exit(main())
