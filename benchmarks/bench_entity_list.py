"""Entity List parse speed against bare lxml on the same bytes, measured in the same run.

    python benchmarks/bench_entity_list.py [--entries N] [--repeat N] [--profile]

Builds a synthetic Supplement No. 4 to part 744 (default 3,000 invented
entries under 60 invented-but-real-country destinations, in the versioner
``gpo_table`` layout with aliases and addresses split by ``<br/>``, like the
real 2024 Title 15 XML) and times ``parsers.entity_list.parse_entity_list``
against ``lxml.etree.fromstring`` of the same bytes. Prints the ratio;
asserts nothing (speed is shown by ratios, never by timed tests).
``--profile`` prints where the parse spends its time instead (cProfile).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pycountry
from lxml import etree

from benchmarks._machine import describe
from benchmarks.bench_parse import best_of_pair
from parsers.countries import by_code
from parsers.entity_list import parse_entity_list
from parsers.xmlsafe import parse_xml

HEADS = ("Country", "Entity", "License requirement", "License review policy", "Federal Register citation")


def _name(code: str) -> str:
    country = by_code(code)
    if country is None:
        raise SystemExit(f"parsers.countries does not know the ISO code {code}")
    return country.name


def synthetic_supplement(entries: int = 3000, destinations: int = 60) -> bytes:
    """Supplement No. 4 XML with ``entries`` invented entities ("(SAMPLE)") spread over real destinations."""
    # Destinations printed in capitals, as the Entity List prints them, under frtrack's EAR names.
    countries = [_name(c.alpha_2).upper() for c in list(pycountry.countries)[:destinations]]
    th = "".join(f'<TH class="center border-bottom-single border-right-single">{h}</TH>' for h in HEADS)
    rows = []
    for i in range(entries):
        block = i * len(countries) // entries
        first = i == 0 or block != (i - 1) * len(countries) // entries
        country = countries[block].replace("&", "&amp;") if first else " "
        if i % 3 == 0:
            entity = (f"Example Entity {i} Co., Ltd. (SAMPLE), a.k.a., the following two aliases:\n<br/>—Sample Alias {i}A; "
                      f"and\n<br/>—Sample Alias {i}B.\n<br/> \n<br/> Room {i}, No. {i % 97} Imaginary Road, Sampletown.")
        else:
            entity = f"Example Entity {i} Trading LLC (SAMPLE), {i % 500} Invented Street, Sampletown."
        rows.append(f'<TR>\n<TD class="left border-right-single">{country}</TD>\n'
                    f'<TD class="left border-right-single">{entity}</TD>\n'
                    '<TD class="left border-right-single">For all items subject to the EAR. (See § 744.11 of the EAR)</TD>\n'
                    '<TD class="left border-right-single">Presumption of denial.</TD>\n'
                    f'<TD class="left">99 FR {i % 90000:05d}, 1/2/99. 99 FR {(i * 7) % 90000:05d}, 3/4/99.\n\n</TD>\n</TR>')
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<DLPSTEXTCLASS><ECFRBRWS><AMDDATE>Jun. 8, 2099</AMDDATE>'
           '<DIV5 N="744" TYPE="PART"><DIV9 N="Supplement No. 4 to Part 744" TYPE="SUPPLEMENT">'
           '<HEAD>Supplement No. 4 to Part 744—Entity List</HEAD><TABLE class="gpo_table"><THEAD><TR>' + th +
           "</TR></THEAD><TBODY>\n" + "\n".join(rows) + "\n</TBODY></TABLE></DIV9></DIV5></ECFRBRWS></DLPSTEXTCLASS>\n")
    return xml.encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions (cProfile)")
    args = parser.parse_args(argv)
    data = synthetic_supplement(args.entries)
    parsed = parse_entity_list(data, "synthetic")
    if len(parsed.entries) != args.entries or parsed.problems:
        print(f"synthetic supplement misparsed: {len(parsed.entries)} entries, {len(parsed.problems)} problems")
        return 1
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [parse_entity_list(data, "synthetic") for _ in range(args.repeat)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return 0
    xml_parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # Cyclic GC off while timing: neither side makes cycles, and a collection triggered by the
    # parse's many small objects would otherwise land in the next baseline run's time.
    gc.collect()
    gc.disable()
    try:
        base, ours, ratio = best_of_pair(lambda: etree.fromstring(data, xml_parser),
                                         lambda: parse_entity_list(data, "synthetic"), args.repeat)
        _, safe, safe_ratio = best_of_pair(lambda: etree.fromstring(data, xml_parser),
                                           lambda: parse_xml(data, "synthetic"), args.repeat)
    finally:
        gc.enable()
    print(describe())
    print(f"Entity List, {args.entries} entries, {len(data) / 1e6:.2f} MB:")
    print(f"  bare lxml.etree.fromstring  {base * 1000:8.1f} ms")
    print(f"  parse_entity_list           {ours * 1000:8.1f} ms")
    print(f"  ratio (median of {args.repeat} interleaved pairs)  {ratio:.1f}x")
    print(f"  of which the safe tree parse (parsers.xmlsafe.parse_xml) {safe * 1000:.1f} ms, {safe_ratio:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
