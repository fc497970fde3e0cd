"""``frtrack demo``: the whole pipeline, offline, over the bundled 2021-2026 sample.

The sample replays real country-group rules (numbers, dates, citations) in
authored documents, plus a few events marked SAMPLE; the summary, the site
and the digest say which is which (``timeline.DISCLOSURE``).

It writes the sample as a replay directory, serves it on a free loopback
port, runs the pipeline once per timeline stage (pinning "today" to the
stage's day), then writes the digest .eml and the site, and stops the server.
Nothing is left running and nothing leaves 127.0.0.1.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config import Settings
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import DISCLOSURE, build_timeline
from pipeline.demo.replay import ReplayServer
from pipeline.publish.digest import write_demo_digest
from pipeline.publish.site import render_site
from pipeline.publish.wording import clip, divergence_sentence, plural
from pipeline.run import run_once
from store import queries as q
from store.db import open_db

log = logging.getLogger(__name__)


@dataclass
class DemoReport:
    out: Path
    db_path: Path
    runs: list[str] = field(default_factory=list)
    ok: bool = True
    digest_path: Path | None = None
    site_index: Path | None = None
    changes: list[str] = field(default_factory=list)
    list_changes: list[str] = field(default_factory=list)     # § 744.21 / § 744.22 and Entity List changes
    divergences: list[str] = field(default_factory=list)
    documents: int = 0
    review: list[str] = field(default_factory=list)
    served: str = ""

    def summary(self) -> str:
        lines = [f"frtrack demo: {plural(len(self.runs), 'run')} over the bundled 2021-2026 sample"
                 f" ({'all ok' if self.ok else 'SOME FAILED'})"]
        lines += [f"  {r}" for r in self.runs]
        if self.served:
            lines.append(self.served)
        lines.append(f"{plural(self.documents, 'FR document')}, "
                     f"{plural(len(self.changes), 'country-group change')}:")
        lines += [f"  {c}" for c in self.changes]
        lines.append(f"{plural(len(self.list_changes), '§ 744.21 / § 744.22 / Entity List change')}:")
        lines += [f"  {c}" for c in self.list_changes]
        lines.append(f"{plural(len(self.divergences), 'D:5 / ITAR 126.1 divergence')}:")
        lines += [f"  {d}" for d in self.divergences]
        if self.review:
            lines.append("needs human review:")
            lines += [f"  {r}" for r in self.review]
        lines += DISCLOSURE.lines()
        lines.append(f"database: {self.db_path}")
        if self.digest_path:
            lines.append(f"digest:   {self.digest_path}")
        if self.site_index:
            lines.append(f"site:     {self.site_index}")
        return "\n".join(lines)


def demo_settings(base_url: str) -> Settings:
    """Defaults pointed at the replay server, with rate limits lifted (it is our own loopback server)."""
    s = Settings()
    return replace(s, sources=replace(s.sources, fr_api_base=f"{base_url}/api/v1",
                                      ecfr_api_base=f"{base_url}/api/versioner/v1",
                                      govinfo_base=base_url, api_rate=1000.0, download_rate=1000.0,
                                      backoff_base=0.01, timeout=10.0))


def run_demo(out: str | Path | None = None) -> DemoReport:

    out_dir = Path(out) if out else Path(tempfile.mkdtemp(prefix="frtrack-demo-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "frtrack.db"
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)   # the demo always starts from an empty database
    stages = build_timeline()
    replay_dir = write_replay_dir(stages, out_dir / "replay")
    report = DemoReport(out=out_dir, db_path=db_path)
    with ReplayServer(replay_dir) as server:
        settings = demo_settings(server.url)
        for i, stage in enumerate(stages):
            server.set_stage(i)
            run = run_once(settings, db_path, today=stage.today, trigger="demo")
            report.ok &= run.ok
            moves = "; ".join(run.status_moves)
            report.runs.append(f"{stage.today}  {'ok ' if run.ok else 'FAILED'}  {stage.note}"
                               + (f"  [{moves}]" if moves else "") + ("" if run.ok else f"  ({run.error})"))
        unmatched = sum(1 for r in server.requests if r.status == 404)
        report.served = (f"replay server {server.url} served {len(server.requests)} requests from {replay_dir}"
                         f" ({unmatched} without a recorded response)")
    last = stages[-1].today
    db = open_db(db_path)
    try:
        for r in q.list_changes(db):
            doc = f"FR Doc. {r['fr_document']}" if r["fr_document"] else f"eCFR {r['ecfr_version']}"
            prep = "to" if r["action"] == "added" else "from"
            sample = DISCLOSURE.sample_note(f"fr:{r['fr_document']}" if r["fr_document"] else f"ecfr:{r['ecfr_version']}")
            report.changes.append(f"{r['country']}: {r['action']} {prep} {r['group']}, effective {r['effective_date']},"
                                  f" {doc} [{r['status']}]" + (" (SAMPLE)" if sample else ""))
        for r in q.list_changes(db, list_kind=None):
            if r["list"] == "country_groups":
                continue
            doc = f"FR Doc. {r['fr_document']}" if r["fr_document"] else f"eCFR {r['ecfr_version']}"
            sample = DISCLOSURE.sample_note(f"fr:{r['fr_document']}" if r["fr_document"] else None)
            what = (f"Entity List entry {r['entity']!r} {r['action']}" if r["entity"]
                    else f"{r['action']} {'to' if r['action'] == 'added' else 'from'} § {r['list']}")
            report.list_changes.append(f"{r['country']}: {what}, effective {r['effective_date']}, {doc}"
                                       f" [{r['status']}]" + (" (SAMPLE)" if sample else ""))
        for d in q.divergences(db):
            span = (f"from {d['opened_on']} to {d['closed_on']}" if d["closed_on"]
                    else f"since {d['opened_on']}, still open")
            report.divergences.append(f"{d['country']}: {divergence_sentence(d['side'], d['moved_first'])}; {span}")
        report.review = [f"FR Doc. {i['document_number']}: {clip(i['text'], 100)}" for i in q.review_items(db)]
        report.documents = q.counts(db)["documents"]
        report.digest_path = write_demo_digest(db, out_dir / "digest.eml", today=last, disclosure=DISCLOSURE)
        # the demo owns its folder: a site an older frtrack wrote there (no manifest) is replaced
        report.site_index = render_site(db, out_dir / "site", today=last, disclosure=DISCLOSURE,
                                        force=True).index_path
    finally:
        db.close()
    return report
