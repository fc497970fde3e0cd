"""Hostile, malformed and truncated XML is refused with a ParseError naming the file."""
from __future__ import annotations

import pytest

from parsers.detect import parse_file
from parsers.ecfr_groups import parse_country_groups
from parsers.errors import ParseError
from parsers.fr_xml import parse_fr_xml
from parsers.xmlsafe import parse_xml
from tests.conftest import FIXTURES

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE RULE [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<RULE><PREAMB><SUBJECT>&xxe;</SUBJECT></PREAMB><FRDOC>[FR Doc. 2026-00001 Filed 1-1-26; 8:45 am]</FRDOC></RULE>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<RULE><P>&lol9;</P></RULE>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]><r/>"""


@pytest.mark.parametrize("data, problem", [
    (XXE, "DOCTYPE declares entities"),
    (BILLION_LAUGHS, "DOCTYPE declares entities"),
    (PARAMETER_ENTITY, "DOCTYPE declares entities"),
    (b"<RULE><PREAMB><SUBJECT>Cut off", "malformed or truncated XML"),
    (b"<RULE><P>a</Q></RULE>", "malformed or truncated XML"),
    (b"not xml at all", "malformed or truncated XML"),
    (b"", "empty document"),
    (b"   \n", "empty document"),
])
def test_refused_with_the_file_named(data, problem):
    with pytest.raises(ParseError) as info:
        parse_xml(data, "bad-2026-02-04.xml")
    assert info.value.document == "bad-2026-02-04.xml"
    assert problem in info.value.problem
    assert str(info.value).startswith("bad-2026-02-04.xml: ")


@pytest.mark.parametrize("parse", [parse_fr_xml, parse_country_groups, parse_file])
def test_every_entry_point_refuses_hostile_xml(parse):
    for data in (XXE, BILLION_LAUGHS):
        with pytest.raises(ParseError, match="hostile.xml"):
            parse(data, "hostile.xml")


def test_truncated_real_style_document():
    data = (FIXTURES / "fr_2026-02-04_issue_cambodia_d5_removed.xml").read_bytes()
    with pytest.raises(ParseError) as info:
        parse_fr_xml(data[: len(data) // 2], "2026-02262.xml")
    assert info.value.document == "2026-02262.xml"
    assert "truncated" in info.value.problem


def test_a_doctype_without_entities_is_accepted():
    root = parse_xml(b'<?xml version="1.0"?><!DOCTYPE RULE SYSTEM "http://127.0.0.1:9/fr.dtd"><RULE/>', "x.xml")
    assert root.tag == "RULE"


def test_wrong_kind_of_document():
    with pytest.raises(ParseError, match="unrecognized document"):
        parse_file(b"<html><body/></html>", "page.html")
    with pytest.raises(ParseError, match="not Federal Register XML"):
        parse_fr_xml(b"<html/>", "page.html")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_entities_declared_in_other_encodings_are_refused(encoding):
    text = XXE.decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding.upper()}"?>')
    with pytest.raises(ParseError) as info:
        parse_xml(text.encode(encoding), "wide.xml")
    assert info.value.document == "wide.xml"
    assert "entities" in info.value.problem or "malformed" in info.value.problem
