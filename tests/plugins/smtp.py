"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests.

``smtp_server`` starts one on a free port per test. It records every message it
accepts (envelope and parsed message); ``reject(address)`` makes it answer 550
to that RCPT TO; ``stop()`` closes the port so the next connection is refused,
``start()`` listens again on the same port (retry tests).

``smtp_server_factory(credentials=..., tls=..., implicit_tls=...)`` builds
servers that demand AUTH LOGIN/PLAIN, offer STARTTLS or speak TLS from the first
byte, with a throwaway self-signed certificate for 127.0.0.1 (``smtp_tls_cert``;
clients trust it through SSL_CERT_FILE).
"""
from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _Handler:
    def __init__(self, server: SmtpServer):
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
    credentials: tuple[str, str] | None = None      # demand AUTH with this user/password
    tls: tuple[str, str] | None = None              # (certfile, keyfile)
    implicit_tls: bool = False                      # TLS from the first byte instead of STARTTLS
    logins: list[str] = field(default_factory=list)
    _controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if (user, password) == self.credentials:
                self.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def start(self) -> SmtpServer:
        if self._controller is None:
            kwargs = {}
            if self.tls:
                ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                ctx.load_cert_chain(*self.tls)
                kwargs["ssl_context" if self.implicit_tls else "tls_context"] = ctx
                if not self.implicit_tls:
                    kwargs["require_starttls"] = True
            if self.credentials is not None:
                # aiosmtpd only counts STARTTLS as TLS (implicit TLS is encrypted too), and warns
                # when AUTH is *required* without it: there, AUTH is offered and checked via ``logins``.
                starttls = bool(self.tls) and not self.implicit_tls
                kwargs.update(authenticator=self._authenticate, auth_required=starttls,
                              auth_require_tls=starttls)
            self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)
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
def smtp_server_factory():
    servers: list[SmtpServer] = []

    def make(**options) -> SmtpServer:
        server = SmtpServer(**options).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_tls_cert(tmp_path_factory, monkeypatch):
    """A self-signed certificate for 127.0.0.1 that this test's SMTP clients trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not found: cannot make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return str(cert), str(key)


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()
