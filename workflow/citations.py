"""Legal sources as readers cite them: the short codes of the guards ("N2(1)", "PR1990 Art. 12; RCL Art. 8")
turned into Chinese legal citations (《通知》二(一), 《条例》第十二条, 《居委会组织法》第八条) with full titles.

A source code is one or more parts separated by ";". Each part names a document by its abbreviation
(`DOCUMENTS`), then a place in it: the notice by part and item ("N2(2)3" = part 二, item (二), point 3;
"N3 final para." = the last paragraph of part 三), the laws by article ("Art. 12"). Anything not understood is
shown as written, so a new code never breaks a page (tests/unit/test_guard_registry.py lists every code).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Document:
    """A law or notice the guards cite: abbreviation, short and full titles in both languages."""

    key: str
    short_zh: str
    short_en: str
    full_zh: str
    full_en: str


DOCUMENTS: dict[str, Document] = {d.key: d for d in (
    Document("N", "《通知》", "Notice",
             "中共辽宁省委办公厅、辽宁省人民政府办公厅《关于做好全省城市社区党组织和社区居民委员会换届选举工作的通知》"
             "（2014年12月1日）",
             "Liaoning Party Committee and Government General Offices, Notice on the 2014 community Party "
             "organization and residents' committee elections (1 December 2014)"),
    Document("PR1990", "《条例》", "Regulations",
             "《中国共产党基层组织选举工作暂行条例》（1990年，2020年修订为《中国共产党基层组织选举工作条例》）",
             "Provisional Regulations on the Election Work of the Party's Primary Organizations (1990; revised "
             "2020)"),
    Document("PR2020", "《条例》", "Regulations", "《中国共产党基层组织选举工作条例》（2020年）",
             "Regulations on the Election Work of the Party's Primary Organizations (2020)"),
    Document("RCL", "《居委会组织法》", "Residents' Committee Law", "《中华人民共和国城市居民委员会组织法》",
             "Organic Law of the Urban Residents' Committees of the People's Republic of China"),
    Document("VCL", "《村委会组织法》", "Village Committee Law", "《中华人民共和国村民委员会组织法》",
             "Organic Law of the Villagers' Committees of the People's Republic of China"),
    Document("党章", "《党章》", "Party Constitution", "《中国共产党章程》", "Constitution of the Communist Party of China"),
    Document("支部工作条例", "《支部工作条例》", "Branch Regulations", "《中国共产党支部工作条例（试行）》（2018年）",
             "Regulations on the Work of Party Branches (Trial, 2018)"),
    # the joint qualification review (资格联审) of candidates rests on this opinion and the campaigns' practice
    Document("乡村治理意见", "《乡村治理意见》", "Rural Governance Opinions",
             "中共中央办公厅、国务院办公厅《关于加强和改进乡村治理的指导意见》（2019年）",
             "General Offices of the CPC Central Committee and the State Council, Guiding Opinions on "
             "Strengthening and Improving Rural Governance (2019)"),
)}

DIGITS = "零一二三四五六七八九"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
_NOTICE = re.compile(r"^N(\d)(?:\((\d)\))?(\d)?(?:\s*(final para\.?))?(.*)$")
_LAW = re.compile(r"^(PR1990|PR2020|RCL|VCL|党章|支部工作条例|乡村治理意见)(?:\s+Art\.\s*(\d+))?(.*)$")


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一, 105 → 一百零五 (article numbers)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + chinese_number(rest) if rest < 10 else
                                  ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
    return DIGITS[n // 100] + "百" + tail


@dataclass(frozen=True)
class Citation:
    """One cited place: the document, the place in both languages, and the code it came from."""

    code: str
    document: Optional[Document]
    place_zh: str
    place_en: str
    rest: str = ""

    def short(self, lang: str = "zh") -> str:
        """《通知》二(一) / Notice II(1): what a page prints."""
        if self.document is None:
            return self.code
        en = lang.startswith("en")
        title = self.document.short_en if en else self.document.short_zh
        place = self.place_en if en else self.place_zh
        return f"{title} {place}".strip() if en else f"{title}{place}"

    def full(self, lang: str = "zh") -> str:
        """The full title of the document (shown on hover)."""
        if self.document is None:
            return self.code
        return self.document.full_en if lang.startswith("en") else self.document.full_zh


def _part(code: str) -> Citation:
    m = _NOTICE.match(code)
    if m and not m.group(5).strip(" .:"):
        part, item, point, final = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        zh = DIGITS[part] + (f"({DIGITS[int(item)]})" if item else "") + (point or "") + ("末段" if final else "")
        en = ROMAN.get(part, str(part)) + (f"({item})" if item else "") + (f".{point}" if point else "") \
            + (" final paragraph" if final else "")
        return Citation(code, DOCUMENTS["N"], zh, en)
    m = _LAW.match(code)
    if m and not m.group(3).strip():
        article = m.group(2)
        return Citation(code, DOCUMENTS[m.group(1)], f"第{chinese_number(int(article))}条" if article else "",
                        f"Art. {article}" if article else "")
    return Citation(code, None, code, code)


def cite(source: Optional[str]) -> list[Citation]:
    """Parse a source code ("N2(1); RCL Art. 7") into its citations (an empty list for no source)."""
    if not source:
        return []
    return [_part(p.strip()) for p in source.split(";") if p.strip()]


def cite_text(source: Optional[str], lang: str = "zh") -> str:
    """The citations as one line of plain text: 《通知》二(一)；《居委会组织法》第七条 (for exports and API)."""
    sep = "; " if lang.startswith("en") else "；"
    return sep.join(c.short(lang) for c in cite(source))
