"""The real SMTP server the e-mail tests send through (bench/smtp.py: the bench uses it too)."""

from bench.smtp import Inbox, Received, free_port, smtp_server

__all__ = ["Inbox", "Received", "free_port", "smtp_server"]
