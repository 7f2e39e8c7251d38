"""The report's people-and-posts figures (domain.md §7 rev. 2): 一肩挑, 交叉任职, women, re-elected, vacant, roster."""
from __future__ import annotations

import csv
import io
import json

import openpyxl

from tests.integration.engine_support import Engine
from tests.integration.test_people import MEMBER, SECRETARY, party_with, residents_with
from workflow.models import Candidate
from workflow.services.report_files import report_json, write_report_csv, write_report_xlsx
from workflow.services.election_data import vacant_seats
from workflow.services.reports import build_report
from workflow.services.roster import add_roster_member


def linked_world(db) -> Engine:
    """Community a: the secretary is also director, a deputy is also a member; a roster beside the party."""
    eng = Engine(db)
    sec, deputy = party_with(eng, [{"name": "王芳", "id_number": SECRETARY, "gender": "f", "incumbent": True},
                                   {"name": "李强", "id_number": MEMBER, "incumbent": True}])
    eng.posts("a_party", secretary=sec, deputy_secretaries=[deputy], full_time_deputy=deputy)
    residents_with(eng, {"name": "王芳", "id_number": SECRETARY, "gender": "f"},
                   [{"name": "李强", "id_number": MEMBER, "gender": "m", "incumbent": True}])
    e = eng.world.elections["a_party"]
    eng.call(add_roster_member, e, {"kind": "first_secretary", "name": "刘洋", "unit": "和平区民政局", "gender": "m"})
    eng.call(add_roster_member, e, {"kind": "part_time_member", "name": "陈静", "unit": "市第一医院党委", "gender": "f"})
    return eng


def report(eng: Engine) -> dict:
    with eng.db.uow(write=False) as uow:
        return build_report(uow, eng.actors["city"], "LN2014", "210100")


def test_the_report_counts_yijiantiao_and_cross_membership_by_identity(db):
    eng = linked_world(db)
    tot = report(eng)["totals"]
    people = tot["people"]
    assert (people["communities_with_both_posts"], people["yijiantiao"], people["yijiantiao_share"]) == (1, 1, 1.0)
    party, residents = tot["structure"]["party"]["elected"], tot["structure"]["residents"]["elected"]
    assert (party, residents) == (5, 5)
    assert people["cross"] == 2 and people["persons_elected"] == 8 and people["cross_share"] == 0.25
    assert people["without_id_number"] == 10 - 4


def test_the_report_shows_women_per_committee_re_elected_members_and_the_roster_apart(db):
    eng = linked_world(db)
    tot = report(eng)["totals"]
    party, residents = tot["structure"]["party"], tot["structure"]["residents"]
    assert party["incumbents"] == 2 and residents["incumbents"] == 1
    assert party["committees"] == 1 and party["committees_with_woman"] == 1
    assert residents["women_share"] == round(residents["women"] / residents["elected"], 4)
    assert tot["roster"] == {"first_secretary": 1, "part_time_member": 1, "women": 1}
    assert party["elected"] == 5  # the roster is never counted among the elected


def test_the_report_counts_seats_left_vacant_after_the_result(db):
    eng = linked_world(db)
    assert report(eng)["totals"]["residents"]["vacant_seats"] == 0
    with eng.db.uow() as uow:  # a member short, as a vacancy approved under §4.4 leaves the committee
        cand = uow.session.query(Candidate).filter_by(election_id=eng.world.elections["a_residents"], elected=True,
                                                      post="member").order_by(Candidate.id.desc()).first()
        cand.elected = False
    tot = report(eng)["totals"]
    assert (tot["residents"]["vacant_seats"], tot["residents"]["elections_with_vacancy"]) == (1, 1)
    assert tot["party"]["vacant_seats"] == 0
    with eng.db.uow(write=False) as uow:  # the report's set-wise count agrees with the election's own figure
        assert vacant_seats(uow, eng.actors["city"], eng.world.elections["a_residents"]) == {"member": 1}


def test_the_files_carry_the_people_figures(db):
    eng = linked_world(db)
    data = report(eng)
    assert json.loads(report_json(data))["totals"]["people"]["yijiantiao"] == 1
    out = io.StringIO()
    write_report_csv(data, out, "en")
    lines = {(row[1], row[3]): row[5] for row in csv.reader(io.StringIO(out.getvalue()))}
    assert lines[("210100", "people.yijiantiao_share")] == "1.0"
    assert lines[("210100", "people.cross")] == "2"
    assert lines[("210100", "roster.first_secretary")] == "1"
    assert lines[("210100", "residents.vacant_seats")] == "0"
    book = io.BytesIO()
    write_report_xlsx(data, book, "zh")
    wb = openpyxl.load_workbook(io.BytesIO(book.getvalue()))
    labels = {row[0].value: row[1].value for row in wb["班子结构"].iter_rows() if row[0].value}
    assert labels["书记、主任“一肩挑”"] == 1 and labels["两委交叉任职"] == 2
    assert labels["第一书记"] == 1 and labels["兼职委员"] == 1
    summary = {row[0].value: row[1].value for row in wb["概况"].iter_rows() if row[0].value}
    assert summary["两委成员 · “一肩挑”比例"] == 1.0
