"""Issue 13 (and issue 12's command-line side): no silent wrong answer, no unreadable failure.

Everything runs the real CLI — click's CliRunner in process, or a subprocess
where a signal, a read-only place or a blocking server is involved — against
real SQLite files, a real replay HTTP server, a real SMTP server and real
closed ports on 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.demo.replay import ReplayServer

REPO = Path(__file__).resolve().parents[1]
REPLAY_BASIC = REPO / "tests" / "fixtures" / "replay" / "basic"
READ_COMMANDS = [["groups", "Cambodia"], ["changes"], ["history", "Cambodia"], ["status"],
                 ["site", "--out", "site-out"], ["digest", "--out", "week.eml"], ["divergences"]]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def frtrack(*args: str, cwd: Path, unprivileged: bool = False, timeout: float = 60, **kw):
    """The CLI as a separate process; ``unprivileged`` drops root's right to ignore file modes."""
    cmd = [sys.executable, "-m", "pipeline.cli", *args]
    if unprivileged and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a place read-only for this process")
        cmd = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a path with no database -----------------------------------------------------------------


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_read_command_on_a_missing_database_creates_nothing(tmp_path, command):
    before = set(os.listdir(tmp_path))
    result = invoke("--db", "typo.db", *command)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "frtrack: error: no database at typo.db — run `frtrack init` or `frtrack run`\n"
    assert set(os.listdir(tmp_path)) == before          # no typo.db, -wal, -shm, .lock, site or .eml


def test_default_database_from_the_wrong_folder_is_not_created(tmp_path):
    result = invoke("groups", "Cambodia", "--as-of", "2023-06-01")
    assert result.exit_code == 2 and "no database at ./frtrack.db" in result.stderr
    assert not (tmp_path / "frtrack.db").exists()


def test_an_empty_file_is_no_database(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    result = invoke("--db", "empty.db", "changes")
    assert result.exit_code == 2 and "no database at empty.db" in result.stderr


# --- read-only places ------------------------------------------------------------------------


@pytest.fixture
def readonly_db(tmp_path, seeded_db_path):
    """The seeded database in a folder this (unprivileged) process may not write, the file read-only too."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "frtrack.db"
    shutil.copy(seeded_db_path, db)
    assert not (folder / "frtrack.db-wal").exists()
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    yield db
    os.chmod(folder, 0o755)


@pytest.mark.parametrize("command", [["groups", "Cambodia", "--as-of", "2023-06-01", "--json"],
                                     ["changes", "--country", "Cambodia"], ["status", "--json"],
                                     ["history", "Cambodia"], ["divergences", "--json"]])
def test_read_commands_work_on_a_read_only_database(tmp_path, readonly_db, command):
    result = frtrack("--db", str(readonly_db), *command, cwd=tmp_path, unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(os.listdir(readonly_db.parent)) == ["frtrack.db"]
    if command[0] == "groups":
        assert json.loads(result.stdout)["groups"] == ["B", "D:1", "D:3", "D:5"]


def test_site_and_digest_out_read_a_read_only_database(tmp_path, readonly_db):
    result = frtrack("--db", str(readonly_db), "site", "--out", str(tmp_path / "site"), cwd=tmp_path, unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "index.html").exists()
    result = frtrack("--db", str(readonly_db), "digest", "--out", str(tmp_path / "w.eml"), cwd=tmp_path,
                     unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "w.eml").exists()


def test_unmerged_wal_in_a_read_only_folder_is_refused_not_misread(tmp_path, seeded_db_path):
    """Without a writable folder SQLite cannot read a -wal; reading the main file alone would be stale."""
    folder = tmp_path / "ro"
    folder.mkdir()
    live = sqlite3.connect(seeded_db_path)
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute("UPDATE runs SET today = '2026-03-01'")
    live.commit()
    shutil.copy(seeded_db_path, folder / "frtrack.db")                      # a crash's leftovers: db + -wal
    shutil.copy(f"{seeded_db_path}-wal", folder / "frtrack.db-wal")
    live.close()
    os.chmod(folder, 0o555)
    try:
        result = frtrack("--db", str(folder / "frtrack.db"), "changes", cwd=tmp_path, unprivileged=True)
    finally:
        os.chmod(folder, 0o755)
    assert result.returncode == 1
    assert "its -wal file holds commits not yet in the database and this folder is not writable" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command, expected", [
    (["run"], "frtrack.db.lock: cannot create the lock file: permission denied"),
    (["reparse"], "frtrack.db.lock: cannot create the lock file: permission denied"),
])
def test_write_commands_name_the_path_and_the_permission_problem(tmp_path, readonly_db, command, expected):
    result = frtrack("--db", str(readonly_db), *command, cwd=tmp_path, unprivileged=True)
    assert result.returncode == 1
    assert result.stderr.startswith("frtrack: error: ") and expected in result.stderr
    assert "internal error" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_init_and_site_into_a_read_only_folder_are_one_line(tmp_path, readonly_db):
    folder = readonly_db.parent
    result = frtrack("--db", str(folder / "new.db"), "init", "--path", str(tmp_path / "f.toml"), cwd=tmp_path,
                     unprivileged=True)
    assert result.returncode == 1
    assert result.stderr == (f"frtrack: error: {folder / 'new.db'}: cannot create the database: folder {folder} "
                             "is not writable (SQLite needs it for the database's -wal and -shm files)\n")
    result = frtrack("--db", str(readonly_db), "site", "--out", str(folder / "site"), cwd=tmp_path, unprivileged=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"frtrack: error: {folder / 'site'}") and "permission denied" in result.stderr
    assert "internal error" not in result.stderr
    result = frtrack("--db", str(readonly_db), "digest", "--out", str(folder / "w.eml"), cwd=tmp_path,
                     unprivileged=True)
    assert result.returncode == 1
    assert result.stderr == (f"frtrack: error: {folder / 'w.eml'}: permission denied "
                             "(check that you may write there)\n")


def test_a_read_only_database_file_in_a_writable_folder_refuses_writes_by_name(tmp_path, seeded_db_path):
    os.chmod(seeded_db_path, 0o444)
    result = frtrack("--db", str(seeded_db_path), "init", "--path", str(tmp_path / "f.toml"), cwd=tmp_path,
                     unprivileged=True)
    assert result.returncode == 1
    assert result.stderr == (f"frtrack: error: {seeded_db_path}: cannot write the database: the file is read-only "
                             "(read commands such as `frtrack changes` still work)\n")
    result = frtrack("--db", str(seeded_db_path), "changes", "--json", cwd=tmp_path, unprivileged=True)
    assert result.returncode == 0 and len(json.loads(result.stdout)) == 9


# --- groups outside the stored history --------------------------------------------------------


def test_groups_before_the_tracked_history_is_not_known(seeded_db_path):
    result = invoke("--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", "2019-05-01")
    assert result.exit_code == 0
    assert result.stdout == "Cambodia on 2019-05-01: not known — before the tracked history (starts 2021-01-04)\n"
    assert result.stderr == "frtrack: note: tracked history starts 2021-01-04\n"
    assert "no country group" not in result.stdout


def test_groups_after_the_data_says_where_the_data_ends(seeded_db_path):
    # the seed's last clean run is of 2026-02-23 (the run of 2026-02-24 could not reach the eCFR)
    result = invoke("--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", "2027-01-01")
    assert result.stdout == "Cambodia on 2027-01-01: B, D:1, D:3\n"
    assert result.stderr == "frtrack: note: data only through 2026-02-23: changes after that day are not known\n"
    result = invoke("--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", "2026-02-24")
    assert result.stderr == "frtrack: note: data only through 2026-02-23: changes after that day are not known\n"
    result = invoke("--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", "2026-02-23")
    assert (result.stdout, result.stderr) == ("Cambodia on 2026-02-23: B, D:1, D:3\n", "")


def test_groups_json_carries_the_coverage(seeded_db_path):
    def answer(day):
        return json.loads(invoke("--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", day, "--json").stdout)

    assert answer("2019-05-01") == {"country": "Cambodia", "as_of": "2019-05-01", "groups": None,
                                    "history_starts": "2021-01-04", "data_through": "2026-02-23",
                                    "notes": ["tracked history starts 2021-01-04"]}
    assert answer("2023-06-01") == {"country": "Cambodia", "as_of": "2023-06-01",
                                    "groups": ["B", "D:1", "D:3", "D:5"], "history_starts": "2021-01-04",
                                    "data_through": "2026-02-23", "notes": []}
    assert answer("2030-01-01")["notes"] == ["data only through 2026-02-23: changes after that day are not known"]


# --- group codes ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["D5", "d:5", "D: 5", " d5 "])
def test_group_codes_are_normalized(seeded_db_path, typed):
    result = invoke("--db", str(seeded_db_path), "changes", "--json", "--group", typed, "--since", "2024-01-01")
    assert [r["country"] for r in json.loads(result.stdout)] == ["Nicaragua", "Cyprus", "Cambodia", "Laos"]


def test_an_unknown_group_code_is_refused_with_the_valid_codes(seeded_db_path):
    result = invoke("--db", str(seeded_db_path), "changes", "--group", "Z:9")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("frtrack: error: unknown country group 'Z:9' (valid: A:1, A:2, A:3, A:4, A:5, A:6, B, "
                             "D:1, D:2, D:3, D:4, D:5, E:1, E:2)\n")


# --- countries (issue 12) -------------------------------------------------------------------


def test_an_alias_answers_for_the_ear_name_and_says_so(seeded_db_path):
    result = invoke("--db", str(seeded_db_path), "groups", "Myanmar", "--as-of", "2026-02-04")
    assert result.exit_code == 0
    assert result.stdout.startswith("Burma on 2026-02-04: ")
    assert "frtrack: note: 'Myanmar' is listed in the EAR as 'Burma'" in result.stderr


def test_north_korea_answers_for_korea_north(seeded_db_path):
    result = invoke("--db", str(seeded_db_path), "groups", "North Korea", "--as-of", "2026-02-04", "--json")
    answer = json.loads(result.stdout)
    assert answer["country"] == "Korea, North"
    assert answer["notes"] == ["'North Korea' is listed in the EAR as 'Korea, North'"]


@pytest.mark.parametrize("command", [["groups", "{}"], ["history", "{}"], ["changes", "--country", "{}"]])
@pytest.mark.parametrize("typed", ["Atlantis", "Cambodja", "North Koria"])
def test_an_unknown_country_exits_2_with_suggestions(seeded_db_path, command, typed):
    result = invoke("--db", str(seeded_db_path), *[a.format(typed) for a in command])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"frtrack: error: unknown country '{typed}'")
    assert len(result.stderr.splitlines()) == 1
    if typed == "Cambodja":
        assert "did you mean 'Cambodia'" in result.stderr
    if typed == "North Koria":
        assert "did you mean 'Korea, North'" in result.stderr


def test_hong_kong_answers_with_china_and_says_why(seeded_db_path):
    result = invoke("--db", str(seeded_db_path), "groups", "Hong Kong", "--as-of", "2024-01-01")
    assert result.exit_code == 0
    assert result.stdout == "China (PRC) on 2024-01-01: D:1, D:3, D:4, D:5\n"
    assert "Hong Kong has no entry of its own" in result.stderr and "China (PRC)" in result.stderr


# --- digest --out and --send --------------------------------------------------------------


def _config(tmp_path, text: str) -> Path:
    path = tmp_path / "frtrack.toml"
    path.write_text(text, encoding="utf-8")
    return path


TWO = '[[recipients]]\nemail = "a@example.com"\n[[recipients]]\nemail = "b@example.com"\n'


def test_digest_out_with_several_recipients_says_where_it_wrote(tmp_path, seeded_db_path):
    cfg = _config(tmp_path, TWO)
    result = invoke("--db", str(seeded_db_path), "--config", str(cfg), "digest", "--out", "two.eml",
                    env={"FRTRACK_TODAY": "2026-02-24"})
    assert result.exit_code == 0
    assert not (tmp_path / "two.eml").exists()
    assert sorted(p.name for p in tmp_path.glob("*.eml")) == ["two-a@example.com.eml", "two-b@example.com.eml"]
    assert result.stderr == ("frtrack: note: 2 recipients, one message each (an .eml holds one): wrote "
                             "two-a@example.com.eml, two-b@example.com.eml; --recipient EMAIL writes exactly two.eml\n")
    quiet = invoke("--db", str(seeded_db_path), "--config", str(cfg), "-q", "digest", "--out", "two.eml",
                   env={"FRTRACK_TODAY": "2026-02-24"})
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")      # -q: only errors


def test_digest_out_for_one_recipient_writes_the_file_named(tmp_path, seeded_db_path):
    cfg = _config(tmp_path, TWO)
    result = invoke("--db", str(seeded_db_path), "--config", str(cfg), "digest", "--out", "two.eml",
                    "--recipient", "B@example.com", env={"FRTRACK_TODAY": "2026-02-24"})
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.eml")] == ["two.eml"]
    assert "To: b@example.com" in (tmp_path / "two.eml").read_text(encoding="utf-8")
    result = invoke("--db", str(seeded_db_path), "--config", str(cfg), "digest", "--out", "x.eml",
                    "--recipient", "c@example.com")
    assert result.exit_code == 2
    assert result.stderr == ("frtrack: error: --recipient c@example.com: not a configured recipient "
                             "(configured: a@example.com, b@example.com)\n")


def test_digest_send_starttls_refused_under_quiet_is_on_stderr_with_the_fix(tmp_path, seeded_db_path, smtp_server):
    cfg = _config(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "starttls"\n'
                            'timeout = 10\n[[recipients]]\nemail = "a@example.com"\n')
    result = invoke("--db", str(seeded_db_path), "--config", str(cfg), "--quiet", "digest", "--send",
                    env={"FRTRACK_TODAY": "2026-02-24"})
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"frtrack: error: mail to a@example.com via 127.0.0.1:{smtp_server.port}: the server "
                             'does not offer STARTTLS; set smtp.security = "plain" if it takes unencrypted mail, '
                             'or "tls" if it speaks TLS from the first byte\n')
    assert smtp_server.received == []


def test_digest_send_to_a_closed_port_names_host_port_and_the_keys(tmp_path, seeded_db_path):
    port = free_port()
    cfg = _config(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "plain"\n'
                            '[[recipients]]\nemail = "a@example.com"\n')
    result = invoke("--db", str(seeded_db_path), "--config", str(cfg), "-q", "digest", "--send",
                    env={"FRTRACK_TODAY": "2026-02-24"})
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"frtrack: error: mail to a@example.com via 127.0.0.1:{port}: connection refused; "
                             "check smtp.host and smtp.port\n")


# --- run with both API hosts unreachable ------------------------------------------------------


def test_run_with_unreachable_apis_is_one_short_line_per_source(tmp_path):
    fr_port, ecfr_port = free_port(), free_port()
    cfg = _config(tmp_path, f'[sources]\nfr_api_base = "http://127.0.0.1:{fr_port}/api/v1"\n'
                            f'ecfr_api_base = "http://127.0.0.2:{ecfr_port}/api/versioner/v1"\n'
                            'max_retries = 2\nbackoff_base = 0.01\nconnect_timeout = 2\n')
    assert invoke("--db", "f.db", "init", "--path", "unused.toml").exit_code == 0
    result = invoke("--db", "f.db", "--config", str(cfg), "run", env={"FRTRACK_TODAY": "2026-02-24"})
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [re.sub(r"\(\d+ s\)", "(N s)", line) for line in lines] == [
        f"frtrack: error: federal_register: connection refused by 127.0.0.1:{fr_port} after 3 attempts (N s)",
        f"frtrack: error: public_inspection: not tried: 127.0.0.1:{fr_port} refused 3 attempts by "
        "federal_register earlier in this run",
        f"frtrack: error: ecfr: connection refused by 127.0.0.2:{ecfr_port} after 3 attempts (N s)",
    ]
    assert "http://" not in result.output
    assert "  federal_register: 0 new, 3 requests, FAILED" in result.stdout

    status = invoke("--db", "f.db", "status").stdout
    assert "http://" not in status
    for source in ("federal_register", "ecfr"):
        assert status.count(f"{source}: no successful fetch") == 1
    assert status.count(f"connection refused by 127.0.0.2:{ecfr_port}") == 1
    assert status.count(f"connection refused by 127.0.0.1:{fr_port} after 3 attempts") == 1   # fr's own attempts
    assert status.count(f"not tried: 127.0.0.1:{fr_port} refused 3 attempts by federal_register") == 1   # pi

    verbose = frtrack("--db", "f.db", "--config", str(cfg), "-v", "run", cwd=tmp_path)
    assert verbose.returncode == 1
    assert f"http://127.0.0.1:{fr_port}/api/v1/documents.json?" in verbose.stderr   # the URL: with -v only


def test_ctrl_c_in_a_run_is_interrupted_exit_130_and_recorded(tmp_path):
    server = ReplayServer().start()
    try:
        server.add_entry("/api/v1/documents.json", json_body={"count": 0}, fault={"kind": "delay", "seconds": 30})
        cfg = _config(tmp_path, f'[sources]\nfr_api_base = "{server.url}/api/v1"\n'
                                f'ecfr_api_base = "{server.url}/api/versioner/v1"\ntimeout = 60\n')
        assert invoke("--db", "f.db", "init", "--path", "unused.toml").exit_code == 0
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--db", "f.db", "--config", str(cfg), "run"],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(REPO), "FRTRACK_TODAY": "2026-02-24"})
        deadline = time.monotonic() + 30
        while not server.entries[0].hits and time.monotonic() < deadline:   # logged only once answered
            time.sleep(0.05)
        assert server.entries[0].hits, "the run never reached the server"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        server.stop()
    assert proc.returncode == 130
    assert err == "frtrack: interrupted\n" and "Aborted" not in out + err
    with sqlite3.connect(tmp_path / "f.db") as conn:
        assert conn.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]


# --- replay ----------------------------------------------------------------------------------


def test_replay_errors_are_one_line(tmp_path):
    result = frtrack("replay", str(tmp_path), "--port", "0", cwd=tmp_path, timeout=20)
    assert result.returncode == 2
    assert result.stderr == (f"frtrack: error: replay: {tmp_path} has no manifest.json: not a directory of "
                             "recorded responses (see `frtrack replay --help`)\n")
    result = frtrack("replay", str(REPLAY_BASIC), "--port", "70000", cwd=tmp_path, timeout=20)
    assert result.returncode == 2
    assert result.stderr == "frtrack: error: replay: port 70000 is out of range (0-65535; 0 = any free port)\n"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = frtrack("replay", str(REPLAY_BASIC), "--port", str(port), cwd=tmp_path, timeout=20)
    assert result.returncode == 2
    assert result.stderr == (f"frtrack: error: replay: port {port} on 127.0.0.1 is already in use; choose another "
                             "with --port (0 = any free port)\n")
    (tmp_path / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    result = frtrack("replay", str(tmp_path), "--port", "0", cwd=tmp_path, timeout=20)
    assert result.returncode == 2 and "not a replay manifest" in result.stderr


# --- small things ------------------------------------------------------------------------------


def test_q_is_quiet(tmp_path):
    result = invoke("-q", "init")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_init_writes_the_config_it_is_pointed_at(tmp_path):
    result = invoke("--config", "etc.toml", "--db", "f.db", "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "etc.toml").exists()
    assert invoke("--config", "etc.toml", "--db", "f.db", "changes").exit_code == 0


def test_q_silences_notes_but_not_errors_and_json_keeps_them(seeded_db_path):
    quiet = invoke("--db", str(seeded_db_path), "-q", "groups", "Cambodia", "--as-of", "2030-01-01")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "Cambodia on 2030-01-01: B, D:1, D:3\n", "")
    as_json = invoke("--db", str(seeded_db_path), "-q", "groups", "Cambodia", "--as-of", "2030-01-01", "--json")
    assert json.loads(as_json.stdout)["notes"] == ["data only through 2026-02-23: changes after that day are not known"]
    failed = invoke("--db", str(seeded_db_path), "-q", "groups", "Atlantis")
    assert failed.exit_code == 2 and failed.stderr.startswith("frtrack: error: unknown country")


def test_digest_send_login_to_a_server_without_auth_says_what_to_change(tmp_path, seeded_db_path, smtp_server):
    cfg = _config(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "plain"\n'
                            'username = "alice"\ntimeout = 10\n[[recipients]]\nemail = "a@example.com"\n')
    result = invoke("--db", str(seeded_db_path), "--config", str(cfg), "-q", "digest", "--send",
                    env={"FRTRACK_TODAY": "2026-02-24", "FRTRACK_SMTP_PASSWORD": "invented"})
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"frtrack: error: mail to a@example.com via 127.0.0.1:{smtp_server.port}: the server "
                             'offers no login; remove smtp.username, or use smtp.security = "starttls" if it '
                             "offers AUTH only after STARTTLS\n")
    assert smtp_server.received == []
