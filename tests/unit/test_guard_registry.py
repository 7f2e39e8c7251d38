"""The guard registry: every guard has a condition and an unmet text in both languages, a source that reads as
a Chinese legal citation, what it reads and, where it is not a fact, the section of the page to act in."""
from __future__ import annotations

import re

import pytest

from workflow import guards as G
from workflow.citations import DOCUMENTS, chinese_number, cite, cite_text
from workflow.facts import FACTS

CJK = re.compile(r"[\u4e00-\u9fff]")
ASCII_PUNCT_IN_ZH = re.compile(r"[\u4e00-\u9fff][,:;?!]|[,:;?!][\u4e00-\u9fff]")


@pytest.mark.parametrize("code", sorted(G.GUARDS))
def test_every_guard_has_a_condition_and_an_unmet_text_in_chinese_and_english(code: str):
    g = G.GUARDS[code]
    assert CJK.search(g.met_zh), f"{code}: add met=(condition zh, condition en) to its @guard(...)"
    assert g.met_en and not CJK.search(g.met_en), code
    assert CJK.search(g.zh) and g.en and not CJK.search(g.en), code
    assert not ASCII_PUNCT_IN_ZH.search(g.met_zh + g.zh), code


@pytest.mark.parametrize("code", sorted(G.GUARDS))
def test_every_guard_source_reads_as_a_citation_of_a_known_document(code: str):
    g = G.GUARDS[code]
    parts = cite(g.source)
    assert parts, code
    for c in parts:
        assert c.document is not None, f"{code}: source part {c.code!r} is not understood by workflow.citations"
        assert c.short("zh").startswith("《") and c.full("zh") and c.full("en"), code


@pytest.mark.parametrize("code", sorted(G.GUARDS))
def test_every_guard_says_what_it_reads_and_non_fact_guards_where_to_act(code: str):
    g = G.GUARDS[code]
    assert g.reads, code
    unknown = [r for r in g.reads if r not in FACTS and r not in G.RECORDS]
    assert not unknown, f"{code} reads {unknown}: neither a fact nor one of guards.RECORDS"
    if code not in FACTS and any(r in G.RECORDS and r != "community" for r in g.reads):
        assert g.anchor, f"{code}: give anchor= the election page section where one acts on it"


def test_a_met_complaint_guard_says_no_complaint_is_open_and_the_unmet_text_says_one_is():
    g = G.GUARDS["no_open_complaints"]
    assert g.text(True, "zh").startswith("没有") and "尚未处理" in g.text(False, "zh")
    assert g.text(True, "en").startswith("No open") and g.text(False, "en").startswith("An open")


@pytest.mark.parametrize("source, zh, en", [
    ("N1(1)", "《通知》一(一)", "Notice I(1)"),
    ("N2(2)3", "《通知》二(二)3", "Notice II(2).3"),
    ("N3 final para.", "《通知》三末段", "Notice III final paragraph"),
    ("PR1990 Art. 12; RCL Art. 8", "《条例》第十二条；《居委会组织法》第八条",
     "Regulations Art. 12; Residents' Committee Law Art. 8"),
    ("VCL Art. 15", "《村委会组织法》第十五条", "Village Committee Law Art. 15"),
    ("党章", "《党章》", "Party Constitution"),
])
def test_source_codes_become_chinese_legal_citations(source: str, zh: str, en: str):
    assert cite_text(source, "zh") == zh
    assert cite_text(source, "en") == en


def test_an_unknown_source_is_shown_as_written():
    assert cite_text("Some rule 3", "zh") == "Some rule 3"
    assert cite_text(None) == "" and cite_text("") == ""


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"),
                                     (100, "一百"), (105, "一百零五"), (110, "一百一十"), (123, "一百二十三")])
def test_article_numbers_in_chinese(n: int, text: str):
    assert chinese_number(n) == text


def test_every_document_has_full_titles_in_both_languages():
    for d in DOCUMENTS.values():
        assert d.full_zh.startswith(("《", "中共")) and d.full_en and not CJK.search(d.full_en)
