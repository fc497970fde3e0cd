"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests.

``smtp_server`` starts one on a free port per test. It records every message it
accepts (envelope and parsed message); ``reject(address)`` makes it answer 550
to that RCPT TO; ``stop()`` closes the port so the next connection is refused,
``start()`` listens again on the same port (retry tests).
"""
from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.rejected:
            return f"550 5.1.1 <{address}>: recipient rejected by test server"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                              or envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpServer:
    host: str = "127.0.0.1"
    port: int = field(default_factory=_free_port)
    received: list[Received] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    _controller: Controller | None = None

    def start(self) -> "SmtpServer":
        if self._controller is None:
            # decode_data=False keeps the exact bytes; original_content is what the client sent.
            self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def reject(self, address: str) -> None:
        self.rejected.add(address.lower())

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()
