"""A real SMTP server on loopback (aiosmtpd), for the bench and the e-mail tests: what arrived,
with its envelope recipients, parsed as the mail it is."""

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One mail the server accepted: envelope recipients and the parsed message."""

    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """The text of the plain or html part."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, subtype
        return str(body.get_content())


@dataclass
class Inbox:
    """The server's port and the mails it accepted, in order."""

    port: int
    mails: list[Received] = field(default_factory=list)
    # Called with each mail before the server answers 250 (a test's way to act mid-send).
    on_data: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[Received]:
        """The mails to address."""
        with self.lock:
            return [mail for mail in self.mails if address in mail.recipients]


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        mail = Received(list(envelope.rcpt_tos), parsed)
        if self.inbox.on_data is not None:
            self.inbox.on_data(mail)
        with self.inbox.lock:
            self.inbox.mails.append(mail)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(port: int | None = None, **options: Any) -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 (port, or a free one) until the block ends; options go to
    aiosmtpd's SMTP (tls_context for STARTTLS, authenticator, ...)."""
    inbox = Inbox(port or free_port())
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
