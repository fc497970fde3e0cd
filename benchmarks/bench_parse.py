"""Parser speed against bare lxml on the same bytes, measured in the same run.

    python benchmarks/bench_parse.py [--repeat N]

FR: every real file of ../shared/corpus/fr_xml (daily issues and single
documents): parse_fr_xml vs ``lxml.etree.fromstring``. eCFR: a synthetic
200-country Supplement No. 1 (pipeline.demo.synth): parse_country_groups vs
``lxml.etree.fromstring``. Target: ratio <= 2x. Prints a table; asserts nothing.
"""
from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import etree

from parsers.ecfr_groups import parse_country_groups
from parsers.fr_xml import parse_fr_xml
from parsers.model import CountryGroupTable
from pipeline.demo.synth import ecfr_supplement_xml, group_table

CORPUS = REPO.parent / "shared" / "corpus"


def best_of_pair(baseline, ours, repeat: int) -> tuple[float, float, float]:
    """Best time of each and the median of per-pair ratios.

    Runs are interleaved so machine load hits both alike; the median ratio
    of adjacent pairs is the figure least moved by other processes.
    """
    base_times: list[float] = []
    our_times: list[float] = []
    for _ in range(repeat):
        for fn, times in ((baseline, base_times), (ours, our_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ratios = sorted(o / b for o, b in zip(our_times, base_times, strict=True))
    return min(base_times), min(our_times), ratios[len(ratios) // 2]


def synthetic_supplement(countries: int = 200) -> bytes:
    syllables = ("ba", "ko", "ri", "ta", "ne", "su", "lo", "mi", "da", "ve", "zu", "pa", "go", "hi", "ra")
    names = sorted({"".join(p).capitalize() + "ia" for p in itertools.product(syllables, repeat=2)})[:countries]
    tables = []
    for letter, width in (("A", 6), ("D", 5), ("E", 2)):
        members = {n: " ".join(str(c) for c in range(1, width + 1) if (i + c) % 3 == 0 or c == 1)
                   for i, n in enumerate(names)}
        tables.append(group_table(f"Country Group {letter}", letter, members))
    table = CountryGroupTable(tables=tuple(tables), b_list=tuple(names), b_printed=tuple(names))
    return ecfr_supplement_xml(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}; python {platform.python_version()}; "
          f"lxml {'.'.join(map(str, etree.LXML_VERSION))}; cpus {os.cpu_count()}; "
          f"processor {platform.processor() or platform.machine()}")
    print(f"best of {args.repeat} runs each\n")
    head = (f"{'input':44} {'MB':>6} {'lxml ms':>8} {'ours ms':>8} {'ratio':>6} {'MB/s':>7} "
            f"{'docs/s':>8} {'instr/s':>9} {'median':>7}")
    print(head)
    print("-" * len(head))
    files = sorted((CORPUS / "fr_xml").glob("*.xml")) if (CORPUS / "fr_xml").is_dir() else []
    if not files:
        print(f"(FR corpus not found at {CORPUS / 'fr_xml'}; FR rows skipped)")
    total_ours = total_lxml = total_mb = 0.0
    total_docs = total_instr = 0
    for path in files:
        data = path.read_bytes()
        docs = parse_fr_xml(data, path.name)
        instr = sum(len(d.instructions) for d in docs)
        lxml_t, ours_t, median = best_of_pair(lambda data=data: etree.fromstring(data),
                                              lambda data=data, name=path.name: parse_fr_xml(data, name), args.repeat)
        mb = len(data) / 1e6
        total_ours += ours_t
        total_lxml += lxml_t
        total_mb += mb
        total_docs += len(docs)
        total_instr += instr
        print(f"{path.name:44} {mb:6.2f} {lxml_t * 1e3:8.2f} {ours_t * 1e3:8.2f} {ours_t / lxml_t:5.2f}x "
              f"{mb / ours_t:7.1f} {len(docs) / ours_t:8.0f} {instr / ours_t:9.0f} {median:6.2f}x")
    if files:
        print(f"{'ALL FR XML':44} {total_mb:6.2f} {total_lxml * 1e3:8.2f} {total_ours * 1e3:8.2f} "
              f"{total_ours / total_lxml:5.2f}x {total_mb / total_ours:7.1f} {total_docs / total_ours:8.0f} "
              f"{total_instr / total_ours:9.0f}")
        print("(ratio = best ours / best lxml; median = median ratio of interleaved run pairs)")
    data = synthetic_supplement()
    table = parse_country_groups(data, "synthetic")
    lxml_t, ours_t, median = best_of_pair(lambda: etree.fromstring(data),
                                          lambda: parse_country_groups(data, "synthetic"), args.repeat)
    mb = len(data) / 1e6
    label = f"eCFR Supp. No. 1, {len({c for c, _ in table.memberships()})} countries (synthetic)"
    print(f"{label:44} {mb:6.2f} {lxml_t * 1e3:8.2f} {ours_t * 1e3:8.2f} {ours_t / lxml_t:5.2f}x "
          f"{mb / ours_t:7.1f} {'-':>8} {'-':>9} {median:6.2f}x")
    print("\ntarget: ratio <= 2.00x against bare lxml.etree.fromstring on the same bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
