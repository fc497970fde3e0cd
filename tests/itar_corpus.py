"""Render the real 22 CFR 126.1 text of ../shared/corpus/itar_126_1/*.md into eCFR XML, at test time.

The corpus files are Markdown converted from eCFR XML (SOURCES.md, "Added
2026-12-01"): the words and tables are the eCFR's, the layout is the
converter's. frtrack reads eCFR XML, so this puts the real text back into the
eCFR's markup — DIV8 N="§ 126.1" with HEAD, one P per paragraph (``*x*`` as
I), tables as the gpotbl markup of ../shared/corpus/ecfr_xml/
(``DIV width="100%" > DIV class="gpotbl_div" > [P class="gpotbl_title"] +
TABLE class="gpotbl_table"``, TH gpotbl_colhed, TD gpotbl_cell), a "Table N
to Paragraph ..." line as that table's gpotbl_title, "Note to ..." blocks as
NOTE, and the closing source/editorial line as CITA/EDNOTE/EFFDNOT. Nothing of
the corpus is stored in the repository: tests call ``render`` on the file.
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

_HEADING = re.compile(r"^#+\s*(§\s*126\.1)\s+(.*?)\s*#*\s*$")
_TABLE_TITLE = re.compile(r"^Table \d+ to Paragraph \(", re.IGNORECASE)
_ITALIC = re.compile(r"\*([^*]+)\*")


def _inline(text: str) -> str:
    return _ITALIC.sub(lambda m: f"<I>{m.group(1)}</I>", escape(text))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(lines: list[str], title: str | None) -> str:
    heads, rows = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    th = "".join(f'<TH class="gpotbl_colhed" scope="col">{escape(h)}\n</TH>' for h in heads)
    scope = ' scope="row"'
    body = "".join(
        "<TR>" + "".join(f'<TD align="left" class="gpotbl_cell"{scope if i == 0 else ""}>{escape(c)}</TD>'
                         for i, c in enumerate(row)) + "</TR>"
        for row in rows)
    caption = f'<P class="gpotbl_title">{escape(title)}</P>\n' if title else ""
    return ('<DIV width="100%"><DIV class="gpotbl_div">' + caption +
            '<TABLE border="1" cellpadding="1" cellspacing="1" class="gpotbl_table" frame="void" width="100%">'
            f"<TR>{th}</TR>{body}</TABLE></DIV></DIV>\n")


def _closing(line: str) -> str:
    """``[58 FR ...]Editorial Note:...Effective Date Note:...`` → CITA, EDNOTE, EFFDNOT."""
    cita, _, rest = line.partition("]")
    out = f'<CITA TYPE="N">{escape(cita)}]\n</CITA>\n'
    for part in re.split(r"(?=Editorial Note:|Effective Date Note:)", rest):
        if part.startswith("Editorial Note:"):
            out += f"<EDNOTE><HED>Editorial Note:</HED><PSPACE>{_inline(part[15:])}</PSPACE></EDNOTE>\n"
        elif part.startswith("Effective Date Note:"):
            out += f"<EFFDNOT><HED>Effective Date Note:</HED><PSPACE>{_inline(part[20:])}</PSPACE></EFFDNOT>\n"
    return out


def render(markdown: str) -> bytes:
    """eCFR XML (ECFRBRWS > DIV5 part 126 > DIV8 § 126.1) holding the real text of ``markdown``."""
    blocks = [b for b in re.split(r"\n\s*\n", markdown.strip()) if b.strip()]
    head = _HEADING.match(blocks[0].strip())
    if head is None:
        raise ValueError("not a § 126.1 Markdown file: first block is not its heading")
    body: list[str] = []
    pending_title: str | None = None
    note_open = False
    for block in blocks[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        first = lines[0].strip()
        if first.startswith("|"):
            body.append(_table(lines, pending_title))
            pending_title = None
            continue
        if _TABLE_TITLE.match(first) and len(lines) == 1:
            pending_title = first
            continue
        if first.startswith("[") and "FR" in first.split("]")[0]:
            body.append(_closing(first))
            continue
        if note_open:
            body.append(f"<P>{_inline(' '.join(lines))}\n</P>\n</NOTE>\n")
            note_open = False
            continue
        if first.startswith("Note to "):
            body.append(f"<NOTE>\n<HED>{_inline(first)}</HED>\n")
            note_open = True
            continue
        body.append(f"<P>{_inline(' '.join(line.strip() for line in lines))}\n</P>\n")
    if note_open:
        body.append("</NOTE>\n")
    xml = ('<?xml version="1.0" encoding="UTF-8" ?>\n<ECFRBRWS>\n'
           '<DIV5 N="126" NODE="22:1.0.1.13.58" TYPE="PART">\n<HEAD>PART 126\u2014GENERAL POLICIES AND PROVISIONS\n'
           '</HEAD>\n<DIV8 N="\u00a7 126.1" NODE="22:1.0.1.13.58.0.1.1" TYPE="SECTION">\n'
           f"<HEAD>{escape(head.group(1))}   {escape(head.group(2))}</HEAD>\n{''.join(body)}"
           "</DIV8>\n</DIV5>\n</ECFRBRWS>\n")
    return xml.encode("utf-8")


def render_file(path: Path) -> bytes:
    return render(path.read_text(encoding="utf-8"))
