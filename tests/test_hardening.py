"""Hostile inputs and careless defaults: XXE, entity bombs, script in data, file modes, secrets in logs."""
from __future__ import annotations

import base64
import email
import email.policy
import http.server
import os
import socket
import stat
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from parsers.errors import ParseError
from parsers.xmlsafe import parse_xml

REPO = Path(__file__).resolve().parents[1]
SECRET = "TOPSECRET-a8f3c1"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a DTD that would define &x; — and remembers being asked."""

    def do_GET(self):  # noqa: N802 (http.server API)
        self.server.hits.append(self.path)
        body = f'<!ENTITY x "{SECRET}-via-network">'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def spy_server():
    """A real HTTP server on loopback; the tests assert the parser never contacts it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text(SECRET)
    return p


def _xxe(secret_file: Path) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE RULE [<!ENTITY x SYSTEM "file://{secret_file}">]>\n'
            f'<RULE><PREAMB><AGENCY>&x;</AGENCY></PREAMB></RULE>').encode()


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
          + ']>\n<lolz>&lol9;</lolz>')

QUADRATIC = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "' + "A" * 50_000 + '">]>\n<r>'
             + "&a;" * 50_000 + "</r>")


def test_xxe_is_refused_and_the_file_is_not_read(secret_file):
    with pytest.raises(ParseError) as info:
        parse_xml(_xxe(secret_file), "evil.xml")
    assert str(info.value).startswith("evil.xml: refused")
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("bomb", [LAUGHS, QUADRATIC], ids=["billion-laughs", "quadratic-blowup"])
def test_entity_expansion_bombs_are_refused(bomb):
    with pytest.raises(ParseError, match=r"^bomb\.xml: refused"):
        parse_xml(bomb.encode(), "bomb.xml")


def test_parameter_entity_and_external_dtd_make_no_network_request(spy_server):
    base = f"http://127.0.0.1:{spy_server.server_port}"
    param = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{base}/p.dtd"> %p;]><r>&x;</r>'.encode()
    with pytest.raises(ParseError):
        parse_xml(param, "param.xml")
    # No ENTITY in the document itself: the DTD would come from the network.
    external = f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{base}/evil.dtd"><r>&x;</r>'.encode()
    try:
        root = parse_xml(external, "external.xml")
    except ParseError:
        root = None
    if root is not None:
        assert SECRET not in etree.tostring(root, encoding="unicode")
    assert spy_server.hits == []


def test_xxe_in_utf16_is_not_resolved(secret_file, spy_server):
    """The byte-level DOCTYPE check cannot see UTF-16; the parser settings must still hold."""
    base = f"http://127.0.0.1:{spy_server.server_port}"
    for text in (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]><r>&x;</r>',
                 f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{base}/p.dtd"> %p;]><r>&x;</r>',
                 '<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS.split("?>", 1)[1]):
        try:
            root = parse_xml(text.encode("utf-16"), "utf16.xml")
        except ParseError:
            continue
        out = etree.tostring(root, encoding="unicode")
        assert SECRET not in out and "lollollol" not in out and len(out) < 1000
    assert spy_server.hits == []


def _parsers():
    from parsers.ecfr_groups import parse_country_groups
    from parsers.fr_xml import parse_fr_xml
    from parsers.itar import parse_itar_126_1
    return {"fr": parse_fr_xml, "ecfr": parse_country_groups, "itar": parse_itar_126_1}


@pytest.mark.parametrize("kind", ["fr", "ecfr", "itar"])
def test_document_parsers_refuse_xxe_and_bombs(kind, secret_file):
    parse = _parsers()[kind]
    with pytest.raises(ParseError) as info:
        parse(_xxe(secret_file), f"{kind}-doc.xml")
    assert str(info.value).startswith(f"{kind}-doc.xml: ") and SECRET not in str(info.value)
    with pytest.raises(ParseError, match=rf"^{kind}-bomb\.xml: "):
        parse(LAUGHS.encode(), f"{kind}-bomb.xml")


def test_cli_parse_refuses_xxe(tmp_path, secret_file):
    evil = tmp_path / "evil.xml"
    evil.write_bytes(_xxe(secret_file))
    res = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(evil), "--json"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    assert "refused" in res.stderr and SECRET not in res.stdout + res.stderr


# -- templates -------------------------------------------------------------------------------------

def test_every_html_and_xml_template_is_autoescaped():
    from pipeline.publish.render import environment
    env = environment()
    names = env.list_templates()
    markup = [n for n in names if n.endswith((".html", ".xml"))]
    assert "digest.html" in markup and "atom.xml" in markup and len(markup) > 5
    assert [n for n in markup if not env.autoescape(n)] == []
    assert env.autoescape("digest.txt") is False       # plain text must not get &amp;


HOSTILE_TITLE = '<script>alert("t")</script> Rule & Co'
HOSTILE_COUNTRY = "<img src=x onerror=alert(1)>"


def test_site_and_digest_escape_hostile_data(seeded_db, tmp_path):
    from pipeline.config import Settings
    from pipeline.publish.digest import digest_command
    from pipeline.publish.site import render_site

    seeded_db.execute("UPDATE fr_documents SET title = ? WHERE document_number = '2026-02262'", [HOSTILE_TITLE])
    seeded_db.execute("UPDATE changes SET country = ? WHERE fr_document = '2026-02262'", [HOSTILE_COUNTRY])
    out = tmp_path / "site"
    render_site(seeded_db, out, settings=Settings())
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
             for p in out.rglob("*") if p.suffix in (".html", ".atom", ".xml")}
    assert [n for n, t in pages.items() if "<script>alert" in t or "<img src=x" in t] == []
    assert pages["doc/2026-02262.html"].count("&lt;script&gt;alert(") >= 1
    assert any("&lt;img src=x onerror=alert(1)&gt;" in t for t in pages.values())

    eml = tmp_path / "w.eml"
    digest_command(Settings(), seeded_db, since=date(2026, 1, 1), out=str(eml), send=False, today=date(2026, 2, 24))
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    html = msg.get_body(("html",)).get_content()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE_COUNTRY in msg.get_body(("plain",)).get_content()   # text stays literal, unescaped


# -- file modes ------------------------------------------------------------------------------------

@pytest.fixture
def open_umask():
    """The most permissive common umask, so 0600 cannot come from the environment."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_config_written_owner_only(tmp_path, open_umask):
    from pipeline.config import write_example
    p = write_example(tmp_path / "etc" / "frtrack.toml")
    assert _mode(p) == 0o600
    p.chmod(0o644)
    write_example(p, force=True)       # overwriting tightens a loosened file again
    assert _mode(p) == 0o600


def test_database_and_its_wal_files_owner_only(tmp_path, open_umask):
    from store.db import open_db
    path = tmp_path / "frtrack.db"
    db = open_db(path)
    db.execute("INSERT INTO runs (started_at, status, today) VALUES ('2026-01-01T00:00:00+00:00', 'ok', '2026-01-01')")
    files = {p.name: _mode(p) for p in tmp_path.iterdir() if p.name.startswith("frtrack.db")}
    db.close()
    assert files["frtrack.db"] == 0o600
    # SQLite gives -wal/-shm the database file's mode; they hold the same data.
    assert {n: m for n, m in files.items() if n != "frtrack.db"} == {n: 0o600 for n in files if n != "frtrack.db"}


def test_cli_init_creates_owner_only_files(tmp_path):
    res = subprocess.run([sys.executable, "-m", "pipeline.cli", "--db", str(tmp_path / "f.db"), "init",
                          "--path", str(tmp_path / "f.toml")], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=lambda: os.umask(0o002))
    assert res.returncode == 0, res.stderr
    assert (_mode(tmp_path / "f.toml"), _mode(tmp_path / "f.db")) == (0o600, 0o600)


# -- secrets in logs -------------------------------------------------------------------------------

PASSWORD = "pw-Zq9!x7-never-log-me"


def _secret_forms(user: str) -> list[str]:
    """The password as it might leak: plain, and as AUTH PLAIN / AUTH LOGIN encode it."""
    return [PASSWORD,
            base64.b64encode(f"\0{user}\0{PASSWORD}".encode()).decode(),
            base64.b64encode(PASSWORD.encode()).decode()]


@pytest.fixture
def auth_smtp():
    """A real SMTP server that requires AUTH (without TLS, loopback only) and records logins."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[str, bool]] = []
    received: list[bytes] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == PASSWORD
        logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.original_content or envelope.content)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
                     auth_require_tls=False, auth_required=True)
    ctl.start()
    yield port, logins, received
    ctl.stop()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _frtrack(args: list[str], cwd: Path, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRTRACK_")}
    env.update(env_extra, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_password_never_appears_in_output_even_with_vv(tmp_path, auth_smtp):
    port, logins, received = auth_smtp
    cfg = tmp_path / "f.toml"
    closed = f"http://127.0.0.1:{_closed_port()}"    # `run` must fail fast, never reach the internet
    cfg.write_text(f'[sources]\nfr_api_base = "{closed}/fr"\necfr_api_base = "{closed}/ecfr"\n'
                   f'govinfo_base = "{closed}/gi"\nmax_retries = 0\nbackoff_base = 0.0\n'
                   f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "plain"\nusername = "frtrack-bot"\n'
                   f'[[recipients]]\nemail = "analyst@example.com"\n')
    env = {"FRTRACK_SMTP_PASSWORD": PASSWORD, "FRTRACK_TODAY": "2026-02-24"}
    outputs = []
    sent = _frtrack(["-vv", "--config", str(cfg), "--db", str(tmp_path / "f.db"), "digest", "--send"], tmp_path, env)
    outputs.append(sent.stdout + sent.stderr)
    assert sent.returncode == 0, outputs[-1]
    # the password really was used: the server saw a successful login and accepted the digest
    assert logins == [("frtrack-bot", True)] and len(received) == 1

    # a wrong password: the failure is reported, the attempted password is not
    bad = _frtrack(["-vv", "--config", str(cfg), "--db", str(tmp_path / "g.db"), "digest", "--send"], tmp_path,
                   {**env, "FRTRACK_SMTP_PASSWORD": PASSWORD + "-wrong"})
    outputs.append(bad.stdout + bad.stderr)
    assert bad.returncode == 1 and logins[-1] == ("frtrack-bot", False)

    for args in (["status", "--json"], ["run"]):
        res = _frtrack(["-vv", "--config", str(cfg), "--db", str(tmp_path / "f.db"), *args], tmp_path, env)
        outputs.append(res.stdout + res.stderr)
    leaks = [(i, form) for i, out in enumerate(outputs) for form in _secret_forms("frtrack-bot") + [PASSWORD + "-wrong"]
             if form in out]
    assert leaks == []


# -- download size ---------------------------------------------------------------------------------

class _Big(http.server.BaseHTTPRequestHandler):
    """/exact: LIMIT bytes; /announced: Content-Length over the limit; /chunked: no length, endless-ish."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        limit = self.server.limit
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        if self.path == "/exact":
            body = b"<a>" + b"x" * (limit - 7) + b"</a>"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/announced":
            self.send_header("Content-Length", str(limit * 100))
            self.end_headers()
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"y" * 4096
        try:
            for _ in range(limit // 4096 * 10):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass   # the client hung up, as it should

    def log_message(self, *args):
        pass


def test_max_download_size_is_enforced(fresh_db):
    from parsers.errors import FetchError
    from pipeline.config import Sources
    from pipeline.sources import http as http_mod
    from store.enums import Source

    limit = 64 * 1024
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Big)
    server.limit, server.hits = limit, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    client = http_mod.Http(sources=Sources(max_download_bytes=limit, api_rate=0, download_rate=0, max_retries=0,
                                           timeout=30), db=fresh_db)
    try:
        ok = client.get_xml(f"{base}/exact", source=Source.FEDERAL_REGISTER, conditional=False)
        assert len(ok.body) == limit          # exactly at the limit is allowed
        with pytest.raises(FetchError) as announced:
            client.get_xml(f"{base}/announced", source=Source.FEDERAL_REGISTER, conditional=False)
        host = base.split("//")[1]
        assert str(announced.value) == (f"[federal_register] {base}/announced: body of {limit * 100} bytes "
                                        f"from {host} exceeds max_download_bytes {limit}")
        with pytest.raises(FetchError) as streamed:
            client.get_xml(f"{base}/chunked", source=Source.ECFR, conditional=False)
        assert str(streamed.value) == f"[ecfr] {base}/chunked: body from {host} exceeds max_download_bytes {limit}"
    finally:
        client.close()
        server.shutdown()
        server.server_close()
    # an oversized body is refused before it is stored
    assert [r[0] for r in fresh_db.execute("SELECT url FROM responses ORDER BY id")] == [f"{base}/exact"]
