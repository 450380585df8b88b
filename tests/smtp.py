"""A real SMTP server on loopback (aiosmtpd) that keeps what the app sends, for the tests.

One server per test run, started on first use: Flask-Mailman talks SMTP to it exactly as it
would to a production relay, so the tests see the messages a member would receive.
"""

from __future__ import annotations

import atexit
import email
import re
import socket
import threading
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


class Mailbox:
    """The messages received so far, newest last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default)
        for recipient in envelope.rcpt_tos:  # the envelope, not the headers, says who gets it
            message["X-Envelope-To"] = recipient
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        """Forget every message (each test starts with an empty mailbox)."""
        with self._lock:
            self._messages.clear()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every message received, or those sent to ``to``."""
        with self._lock:
            messages = list(self._messages)
        if to is None:
            return messages
        return [m for m in messages if to.lower() in m.get_all("X-Envelope-To", [])]

    def last(self, to: str) -> EmailMessage:
        """The newest message to ``to``; fails the test when there is none."""
        received = self.messages(to)
        assert received, f"no email was sent to {to}"
        return received[-1]

    def link(self, to: str) -> str:
        """The first link of the newest message to ``to``, as a path the test client can open."""
        body = self.last(to).get_content()
        links = LINK.findall(body)
        assert links, f"the email to {to} holds no link:\n{body}"
        return re.sub(r"^https?://[^/]+", "", links[0])


_server: tuple[Controller, Mailbox] | None = None
_start_lock = threading.Lock()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server() -> tuple[int, Mailbox]:
    """The port and mailbox of the run's SMTP server, starting it on first use."""
    global _server
    with _start_lock:
        if _server is None:
            mailbox = Mailbox()
            controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
            controller.start()
            atexit.register(controller.stop)
            _server = (controller, mailbox)
        controller, mailbox = _server
    return controller.port, mailbox


def mail_config() -> dict:
    """Flask-Mailman settings that send to the test server."""
    port, _mailbox = server()
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
    }
