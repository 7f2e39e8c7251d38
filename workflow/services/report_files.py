"""The summary report as files: an XLSX workbook (one sheet per topic), a long-format CSV, and JSON."""
from __future__ import annotations

import json
from typing import IO, Any, Iterator, Optional

from ..importing.files import SafeSheet, sanitize_workbook
from ..text import SafeCsv
from .report_labels import t
from .reports import (AGE_BANDS, BACKGROUNDS, BODIES, CATEGORIES, EDUCATION_LEVELS, FLAGS, OUTCOMES, POSTS,
                      REFERRALS, STATES)

HEADLINES: tuple[tuple[str, ...], ...] = (
    ("communities",), ("key_difficult",), ("communities_completed",), ("completion",),
    ("party", "elections"), ("party", "closed"), ("party", "overdue"), ("party", "suspended"),
    ("residents", "elections"), ("residents", "closed"), ("residents", "overdue"), ("residents", "suspended"),
    ("residents", "village_law"), ("residents", "elected"), ("residents", "direct_household_share"),
    ("structure", "party", "elected"), ("structure", "party", "women"),
    ("structure", "residents", "elected"), ("structure", "residents", "women"),
    ("complaints", "total"), ("complaints", "open"), ("complaints", "overdue"),
    ("dossiers", "open"), ("key", "with_dossier"),
    # rev. 2 (domain.md §7): people and posts, after the first release's rows so that those keep their places
    ("people", "yijiantiao"), ("people", "yijiantiao_share"), ("people", "cross"), ("people", "cross_share"),
    ("structure", "party", "women_share"), ("structure", "residents", "women_share"),
    ("structure", "party", "incumbents"), ("structure", "residents", "incumbents"),
    ("party", "vacant_seats"), ("residents", "vacant_seats"),
    ("roster", "first_secretary"), ("roster", "part_time_member"),
)
SHARE_KEYS = {"completion", "direct_household_share", "yijiantiao_share", "cross_share", "women_share"}


def report_json(report: dict[str, Any]) -> str:
    """Return the report as JSON text (UTF-8, Chinese kept readable)."""
    return json.dumps(report, ensure_ascii=False, indent=1)


def dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """Return the value at a key path."""
    for key in path:
        data = data[key]
    return data


def path_label(path: tuple[str, ...], lang: str) -> str:
    """Label a key path: '社区党组织 · 逾期'; 'closed'/'suspended' as counts, not states."""
    words = []
    for i, key in enumerate(path):
        if i == len(path) - 1 and key in ("closed", "suspended") and (len(path) == 1 or path[-2] != "states"):
            key = f"{key}_total"
        if key == "elected" and path[0] == "structure":
            key = "elected_people"
        if i > 0 and path[i - 1] == "referrals":
            key = f"ref_{key}"
        words.append(t(key, lang))
    return " · ".join(w for w in words if w != t("states", lang))


# ---------------------------------------------------------------- CSV (long format: one figure per line)
def flatten(row: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Yield (key path, number) for every figure of a report row."""
    for key, value in row.items():
        if key in ("code", "name", "age_sum", "age_known"):
            continue
        if isinstance(value, dict):
            yield from flatten(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def topic_of(path: tuple[str, ...]) -> str:
    return {"party": "party", "residents": "residents", "structure": "structure", "complaints": "complaints",
            "key": "key", "dossiers": "dossiers", "people": "people", "roster": "structure"}.get(path[0], "communities")


def write_report_csv(report: dict[str, Any], out: IO[str], lang: str = "zh") -> None:
    """Write every figure as one line: topic, region code, region name, indicator code, indicator, value."""
    writer = SafeCsv(out)
    writer.writerow([t(k, lang) for k in ("topic", "region_code", "region_name", "indicator_code", "indicator",
                                          "value")])
    for row in (*report["rows"], report["totals"]):
        for path, value in flatten(row):
            writer.writerow([t(f"topic_{topic_of(path)}", lang), row["code"], row["name"], ".".join(path),
                             path_label(path, lang), "" if value is None else value])


# ---------------------------------------------------------------- XLSX (one sheet per topic)
class _Sheets:
    """Writes sheets with bold, frozen header rows and sensible column widths."""

    def __init__(self, lang: str) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        self.lang, self.wb = lang, Workbook()
        self.bold, self.title_font = Font(bold=True), Font(bold=True, size=14)
        self.fill = PatternFill("solid", fgColor="DDE6F0")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.first = True

    def pick(self, zh: str, en: str) -> str:
        """Return the Chinese or the English text."""
        return en if self.lang.startswith("en") else zh

    def sheet(self, title: str, widths: list[int]) -> Any:
        from openpyxl.utils import get_column_letter
        ws = SafeSheet(self.wb.active if self.first else self.wb.create_sheet())
        self.first = False
        ws.title = title[:31]
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
        return ws

    def header(self, ws: Any, row: int, values: list[Any]) -> None:
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font, cell.fill, cell.alignment = self.bold, self.fill, self.center

    def group_header(self, ws: Any, row: int, groups: list[tuple[str, int]]) -> None:
        """A header row of merged cells, each spanning its group's columns."""
        col = 1
        for label, span in groups:
            self.header(ws, row, [None] * (col - 1) + [label])
            if span > 1:
                ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
            col += span

    def percent(self, ws: Any, row: int, col: int) -> None:
        ws.cell(row=row, column=col).number_format = "0.0%"


def write_report_xlsx(report: dict[str, Any], out: IO[bytes], lang: str = "zh") -> None:
    """Write the report workbook: summary, progress, election modes, structure, complaints, key communities."""
    x = _Sheets(lang)
    _summary(x, report)
    _progress(x, report)
    _modes(x, report)
    _structure(x, report)
    _complaints(x, report)
    _key(x, report)
    _dossier_sheet(x, report)
    sanitize_workbook(x.wb)  # names, causes and notes come from users: no formula, no control character
    x.wb.save(out)


def _title(x: _Sheets, ws: Any, report: dict[str, Any], text: str) -> None:
    c, r, lang = report["campaign"], report["region"], x.lang
    ws.cell(row=1, column=1, value=f"{c['name']} · {r['name']} · {text}").font = x.title_font
    sep = "、" if not lang.startswith("en") else ", "
    ws.cell(row=2, column=1, value=(f"截至{report['as_of']}；报送截止{c['report_due']}；报送{sep.join(c['report_to'])}，"
                                    f"抄送{sep.join(c['report_copied'])}" if not lang.startswith("en") else
                                    f"As of {report['as_of']}; due {c['report_due']} to {sep.join(c['report_to'])}, "
                                    f"copied to {sep.join(c['report_copied'])}"))


def _summary(x: _Sheets, report: dict[str, Any]) -> None:
    ws = x.sheet(x.pick("概况", "Summary"), [46, 16])
    _title(x, ws, report, x.pick("换届选举情况汇总", "Election summary"))
    x.header(ws, 3, [t("indicator", x.lang), t("value", x.lang)])
    ws.freeze_panes = "A4"
    for n, path in enumerate(HEADLINES, start=4):
        ws.cell(row=n, column=1, value=path_label(path, x.lang))
        ws.cell(row=n, column=2, value=dig(report["totals"], path))
        if path[-1] in SHARE_KEYS:
            x.percent(ws, n, 2)


def _table_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [*report["rows"], dict(report["totals"], is_total=True)]


def _progress(x: _Sheets, report: dict[str, Any]) -> None:
    lang = x.lang
    per_body = ["elections", *STATES, "overdue"]
    ws = x.sheet(x.pick("进度", "Progress"), [14, 18, 9, 9, 11] + [9] * (2 * len(per_body) + 1))
    x.group_header(ws, 1, [(t("region", lang), 2), (t("communities", lang), 3),
                           (t("body_party", lang), len(per_body)), (t("body_residents", lang), len(per_body) + 1)])
    cols = [t("code", lang), t("name", lang), t("communities", lang), t("key_difficult", lang),
            t("communities_completed", lang)]
    for _body in BODIES:
        cols += [t(k, lang) for k in per_body]
    cols.append(t("village_law", lang))
    x.header(ws, 2, cols)
    ws.freeze_panes = "C3"
    for r in _table_rows(report):
        values = [r["code"], _name(r, lang), r["communities"], r["key_difficult"], r["communities_completed"]]
        for body in BODIES:
            b = r[body]
            values += [b["elections"], *[b["states"][s] for s in STATES], b["overdue"]]
        values.append(r["residents"]["village_law"])
        ws.append(values)


def _name(r: dict[str, Any], lang: str) -> str:
    return f"{r['name']}（{t('total', lang)}）" if r.get("is_total") else r["name"]


def _modes(x: _Sheets, report: dict[str, Any]) -> None:
    lang = x.lang
    modes = ["direct", "household", "representative", "unset"]
    ws = x.sheet(x.pick("选举方式", "Election modes"), [14, 18, 11] + [11] * 9)
    x.group_header(ws, 1, [(t("region", lang), 2), (t("body_residents", lang), 1),
                           (t("modes", lang), 4), (t("elected_modes", lang), 5)])
    x.header(ws, 2, [t("code", lang), t("name", lang), t("elections", lang), *[t(m, lang) for m in modes],
                     t("elected", lang), *[t(m, lang) for m in modes[:3]], t("direct_household_share", lang)])
    ws.freeze_panes = "C3"
    for n, r in enumerate(_table_rows(report), start=3):
        b = r["residents"]
        ws.append([r["code"], _name(r, lang), b["elections"], *[b["modes"][m] for m in modes], b["elected"],
                   *[b["elected_modes"][m] for m in modes[:3]], b["direct_household_share"]])
        x.percent(ws, n, 12)


def _structure(x: _Sheets, report: dict[str, Any]) -> None:
    lang = x.lang
    ws = x.sheet(x.pick("班子结构", "Structure"), [30, 12, 10, 12, 10])
    x.group_header(ws, 1, [(t("indicator", lang), 1), (t("body_party", lang), 2), (t("body_residents", lang), 2)])
    x.header(ws, 2, [t("indicator", lang), t("people", lang), t("share", lang), t("people", lang), t("share", lang)])
    ws.freeze_panes = "B3"
    st = report["totals"]["structure"]
    lines: list[tuple[str, Optional[tuple[str, str]]]] = [
        (t("elected_people", lang), ("elected", "")), (t("women", lang), ("women", "")),
        (t("party_members", lang), ("party_members", "")), (t("graduate_recruits", lang), ("graduate_recruits", "")),
        (t("dispatched_cadres", lang), ("dispatched_cadres", "")), (t("college_and_above", lang),
                                                                    ("college_and_above", ""))]
    lines += [(f"{t('age_bands', lang)} · {t(b, lang)}", ("age_bands", b)) for b in AGE_BANDS]
    lines += [(f"{t('education', lang)} · {t(e, lang)}", ("education", e)) for e in EDUCATION_LEVELS]
    lines += [(f"{t('backgrounds', lang)} · {t(b, lang)}", ("backgrounds", b)) for b in BACKGROUNDS]
    lines += [(f"{t('posts', lang)} · {t(p, lang)}", ("posts", p)) for p in POSTS]
    n = 3
    for label, (key, sub) in lines:  # type: ignore[misc]
        values: list[Any] = [label]
        for body in BODIES:
            v = st[body][key][sub] if sub else st[body][key]
            values += [v, (v / st[body]["elected"]) if st[body]["elected"] else None]
        ws.append(values)
        x.percent(ws, n, 3)
        x.percent(ws, n, 5)
        n += 1
    ws.append([t("average_age", lang), st["party"]["average_age"], None, st["residents"]["average_age"], None])
    n += 1
    for key in ("incumbents", "committees_with_woman"):
        values = [t(key, lang)]
        for body in BODIES:
            base = st[body]["elected" if key == "incumbents" else "committees"]
            values += [st[body][key], (st[body][key] / base) if base else None]
        ws.append(values)
        x.percent(ws, n, 3)
        x.percent(ws, n, 5)
        n += 1
    # the appointed roster: rows of their own, never among the elected (domain.md §9)
    roster = report["totals"]["roster"]
    ws.append([])
    ws.append([t("roster", lang)])
    ws.cell(row=n + 1, column=1).font = x.bold
    for kind in ("first_secretary", "part_time_member"):
        ws.append([t(kind, lang), roster[kind], None, None, None])
    ws.append([f"{t('roster', lang)} · {t('women', lang)}", roster["women"], None, None, None])
    _people(x, ws, report)


PEOPLE_LINES = ("communities_with_both_posts", "yijiantiao", "yijiantiao_share", "persons_elected", "cross",
                "cross_share", "without_id_number")


def _people(x: _Sheets, ws: Any, report: dict[str, Any]) -> None:
    """Below the structure, in its five columns: 一肩挑, 交叉任职 and vacant seats of the region's total.

    (Per region they are in the CSV and the JSON; the sheet keeps the first release's layout.)
    """
    lang = x.lang
    tot = report["totals"]
    ws.append([])
    ws.append([t("people", lang)])
    ws.cell(row=ws.max_row, column=1).font = x.bold
    for key in PEOPLE_LINES:
        ws.append([t(key, lang), tot["people"][key]])
        if key in SHARE_KEYS:
            x.percent(ws, ws.max_row, 2)
    ws.append([t("vacant_seats", lang), tot["party"]["vacant_seats"], None, tot["residents"]["vacant_seats"], None])
    ws.append([t("elections_with_vacancy", lang), tot["party"]["elections_with_vacancy"], None,
               tot["residents"]["elections_with_vacancy"], None])


def _complaints(x: _Sheets, report: dict[str, Any]) -> None:
    lang = x.lang
    ws = x.sheet(x.pick("举报", "Complaints"), [22, 10, 10, 12, 14, 12])
    x.header(ws, 1, [t("category", lang), t("total", lang), *[t(o, lang) for o in OUTCOMES]])
    ws.freeze_panes = "B2"
    c = report["totals"]["complaints"]
    for cat in CATEGORIES:
        row = c["by_category"][cat]
        ws.append([t(cat, lang), row["total"], *[row[o] for o in OUTCOMES]])
    ws.append([t("total", lang), c["total"], c["open"], *[sum(c["by_category"][k][o] for k in CATEGORIES)
                                                         for o in OUTCOMES[1:]]])
    ws.append([])
    ws.append([f"{t('open', lang)} · {t('overdue', lang)}", c["overdue"]])
    for ref in REFERRALS:
        ws.append([t(f"ref_{ref}", lang), c["referrals"][ref]])
    by_region = x.sheet(x.pick("举报分地区", "Complaints by region"), [14, 18, 10, 10, 10, 10])
    x.header(by_region, 1, [t("code", lang), t("name", lang), t("total", lang), t("open", lang),
                            t("resolved", lang), t("overdue", lang)])
    by_region.freeze_panes = "C2"
    for r in _table_rows(report):
        k = r["complaints"]
        by_region.append([r["code"], _name(r, lang), k["total"], k["open"], k["resolved"], k["overdue"]])


def _key(x: _Sheets, report: dict[str, Any]) -> None:
    lang = x.lang
    ws = x.sheet(x.pick("重点难点社区", "Key communities"), [14, 18] + [12] * 10)
    x.header(ws, 1, [t("code", lang), t("name", lang), t("key_difficult", lang), *[t(f, lang) for f in FLAGS],
                     t("key_completed", lang), t("with_dossier", lang),
                     f"{t('dossiers', lang)} · {t('open', lang)}", f"{t('dossiers', lang)} · {t('resolved', lang)}"])
    ws.freeze_panes = "C2"
    for r in _table_rows(report):
        ws.append([r["code"], _name(r, lang), r["key_difficult"], *[r["key"][f] for f in FLAGS], r["key_completed"],
                   r["key"]["with_dossier"], r["dossiers"]["open"], r["dossiers"]["resolved"]])


def _dossier_sheet(x: _Sheets, report: dict[str, Any]) -> None:
    zh = not x.lang.startswith("en")
    ws = x.sheet("建档立卡" if zh else "Dossiers", [14, 18, 12, 10, 40, 12, 14, 10, 8])
    x.header(ws, 1, ["社区代码", "社区名称", "街道代码", "重点难点", "原因", "时限", "驻社区干部", "状态", "逾期"] if zh else
             ["Community", "Name", "Street", "Key", "Cause", "Due", "Stationed cadre", "Status", "Overdue"])
    ws.freeze_panes = "A2"
    yes, no = ("是", "否") if zh else ("yes", "no")
    for d in report["dossiers"]:
        ws.append([d["community"], d["community_name"], d["street"], yes if d["key_difficult"] else no,
                   t("dossier_cause_overdue", x.lang) if d["cause"] == "overdue" else d["cause"],
                   d["due_on"], d["stationed_cadre"], t(d["status"], x.lang), yes if d["overdue"] else no])
