"""Seats, candidates, voting rounds, certificates, complaints and suspension on the election page."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.ui.conftest import advance, candidates, election_state, text, version
from workflow.models import Certificate, Complaint
from workflow.services.election_data import record_fact


def url(world, key, tail=""):
    return f"/elections/{world.elections[key]}{tail}"


def test_seats_are_set_in_preparation(ui, world):
    client = ui("cadre")
    response = client.post(url(world, "a_residents", "/seats"),
                           {"seats-director": "1", "seats-deputy_director": "1", "seats-member": "3"})
    assert response.status_code == 302
    page = text(client.get(url(world, "a_residents")))
    assert "职数已确定" in page and "共 5 名" in page


def test_a_wrong_number_of_seats_is_explained_and_the_typed_numbers_stay(ui, world):
    response = ui("cadre").post(url(world, "a_residents", "/seats"),
                                {"seats-director": "2", "seats-deputy_director": "1", "seats-member": "x"})
    assert response.status_code == 400
    page = text(response)
    assert 'value="x"' in page and 'value="2"' in page
    response = ui("cadre").post(url(world, "a_residents", "/seats"),
                                {"seats-director": "2", "seats-deputy_director": "1", "seats-member": "3"})
    assert response.status_code == 400 and "居委会设主任1名" in text(response) and 'value="2"' in text(response)


def test_seats_cannot_change_after_preparation(ui, world):
    advance(world, "a_party", "nomination")
    client = ui("cadre")
    assert "职数只能在准备阶段确定" in text(client.get(url(world, "a_party")))
    assert client.post(url(world, "a_party", "/seats"), {"seats-member": "7"}).status_code == 409


def test_a_candidate_is_added_changed_and_withdrawn(ui, world):
    advance(world, "a_party", "nomination")
    client = ui("cadre")
    before = len(candidates(world, "a_party"))
    response = client.post(url(world, "a_party", "/candidates"), {
        "cand-name": "王秀兰", "cand-post": "member", "cand-gender": "f", "cand-birth_year": "1975",
        "cand-education": "大专", "cand-background": "community_worker", "cand-party_member": "y",
        "cand-full_member": "y"})
    assert response.status_code == 302
    added = candidates(world, "a_party")[-1]
    assert len(candidates(world, "a_party")) == before + 1 and added.name == "王秀兰" and added.full_member
    edit = client.get(f"/candidates/{added.id}/edit")
    assert edit.status_code == 200 and 'value="王秀兰"' in text(edit)
    response = client.post(f"/candidates/{added.id}/edit", {
        "cand-name": "王秀兰", "cand-post": "member", "cand-education": "本科", "cand-party_member": "y",
        "cand-full_member": "y"})
    assert response.status_code == 302 and candidates(world, "a_party")[-1].education == "本科"
    assert client.post(f"/candidates/{added.id}/withdraw").status_code == 302
    assert candidates(world, "a_party")[-1].withdrawn
    assert "已退出" in text(client.get(url(world, "a_party")))


def test_a_candidate_without_a_name_is_not_added_and_nothing_typed_is_lost(ui, world):
    advance(world, "a_party", "nomination")
    before = len(candidates(world, "a_party"))
    response = ui("cadre").post(url(world, "a_party", "/candidates"), {
        "cand-name": "", "cand-post": "member", "cand-education": "研究生", "cand-birth_year": "abc"})
    assert response.status_code == 400
    page = text(response)
    assert "请填写此项" in page and 'value="研究生"' in page and 'value="abc"' in page
    assert re.search(r'<details class="addform" open>', page)
    assert len(candidates(world, "a_party")) == before


def test_candidates_cannot_be_added_in_preparation(ui, world):
    response = ui("cadre").post(url(world, "a_party", "/candidates"), {"cand-name": "李强", "cand-post": "member"})
    assert response.status_code == 409 and "候选人只能在提名推荐和候选人见面阶段变更" in text(response)


def test_a_residents_candidate_is_marked_as_having_met_the_residents(ui, world):
    advance(world, "a_residents", "candidate_meeting")
    client = ui("cadre")
    first = candidates(world, "a_residents")[0]
    page = text(client.get(url(world, "a_residents")))
    assert f'action="/candidates/{first.id}/presented"' in page
    assert client.post(f"/candidates/{first.id}/presented").status_code == 302
    assert candidates(world, "a_residents")[0].presented


def test_another_users_candidate_is_not_found(ui, world):
    advance(world, "a_party", "candidate_meeting")
    first = candidates(world, "a_party")[0]
    client = ui("othercadre")
    assert client.get(f"/candidates/{first.id}/edit").status_code == 404
    assert client.post(f"/candidates/{first.id}/withdraw").status_code == 404
    assert not candidates(world, "a_party")[0].withdrawn


def round_form(world, key, kind="first", **counts):
    people = [c for c in candidates(world, key) if not c.withdrawn]
    data = {"round-kind": kind, "round-expected": "120", "round-present": "110", "round-ballots_issued": "110",
            "round-ballots_returned": "110", "round-ballots_invalid": "2"}
    data.update({f"round-{k}": str(v) for k, v in counts.items()})
    for i, c in enumerate(people):
        data[f"vote-{c.id}"] = str(100 - i) if i < 5 else "20"
    return data


def preview_then_record(client, path, data):
    """Rev. 2: the first submit previews the evaluation; "record" confirms exactly the previewed counts."""
    preview = client.post(path, data)
    assert preview.status_code == 200, preview.status_code
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.get_data(as_text=True)).group(1)
    return client.post(path, {**data, "action": "record", "digest": digest})


def test_a_round_is_recorded_and_the_engine_evaluation_is_shown(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    page = text(client.get(url(world, "a_party")))
    assert "录入投票结果：第一轮投票" in page
    response = preview_then_record(client, url(world, "a_party", "/rounds"), round_form(world, "a_party"))
    assert response.status_code == 302
    page = text(client.get(url(world, "a_party")))
    assert "本轮结果已录入，选举有效" in page and "第 1 轮" in page and "当选：" in page
    assert 'class="badge badge-ok">有效' in page


def test_an_invalid_round_is_recorded_as_invalid_with_its_reason(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    response = preview_then_record(client, url(world, "a_party", "/rounds"), round_form(world, "a_party", present="80"))
    assert response.status_code == 302
    page = text(client.get(url(world, "a_party")))
    assert "参加投票人数不足" in page and "重新选举" in page


def test_impossible_counts_are_refused_and_the_typed_numbers_stay(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    data = round_form(world, "a_party", ballots_invalid="500")
    response = client.post(url(world, "a_party", "/rounds"), data)
    assert response.status_code == 400 and 'value="500"' in text(response)
    data = round_form(world, "a_party")
    first = next(k for k in data if k.startswith("vote-"))
    data[first] = "很多"
    response = client.post(url(world, "a_party", "/rounds"), data)
    assert response.status_code == 400
    assert "请输入票数（整数）" in text(response) and 'value="很多"' in text(response)


def test_certificates_are_issued_once_per_serial(ui, world):
    advance(world, "a_residents", "certification")
    client = ui("cadre")
    elected = [c for c in candidates(world, "a_residents") if c.elected]
    page = text(client.get(url(world, "a_residents")))
    assert "当选证书" in page and f'id="cert-serial-{elected[0].id}"' in page
    response = client.post(url(world, "a_residents", "/certificates"),
                           {"cert-candidate": str(elected[0].id), "cert-serial": "LN2015-0001"})
    assert response.status_code == 302
    response = client.post(url(world, "a_residents", "/certificates"),
                           {"cert-candidate": str(elected[1].id), "cert-serial": "LN2015-0001"})
    assert response.status_code == 409
    page = text(response)
    assert "该证书编号已颁发" in page and 'value="LN2015-0001"' in page
    with world.db.uow(write=False) as uow:
        assert len(list(uow.session.scalars(select(Certificate)))) == 1


def test_a_complaint_is_filed_and_resolved_as_unfounded(ui, world):
    advance(world, "a_party", "candidate_meeting")
    client = ui("inspector")
    first = candidates(world, "a_party")[0]
    response = client.post(url(world, "a_party", "/complaints"), {
        "comp-category": "bribery", "comp-candidate": str(first.id), "comp-received_on": "2014-12-09",
        "comp-summary": "有人反映送购物卡"})
    assert response.status_code == 302
    page = text(client.get(url(world, "a_party")))
    assert "贿选" in page and "有人反映送购物卡" in page and "须于 2015年1月8日 前办结" in page
    with world.db.uow(write=False) as uow:
        complaint = uow.session.scalars(select(Complaint)).one()
    response = client.post(f"/complaints/{complaint.id}/resolve", {
        f"res{complaint.id}-outcome": "unfounded", f"res{complaint.id}-note": "经核查不属实"})
    assert response.status_code == 302
    assert "查无实据" in text(client.get(url(world, "a_party")))


def test_a_complaint_without_a_summary_is_refused_and_kept(ui, world):
    response = ui("cadre").post(url(world, "a_party", "/complaints"), {
        "comp-category": "procedure", "comp-received_on": "2014-12-09", "comp-summary": ""})
    assert response.status_code == 400 and "请填写此项" in text(response)
    assert "程序问题" in text(response)


def test_voiding_an_election_asks_for_confirmation_and_a_reason(ui, world):
    advance(world, "a_residents", "certification")
    elected = [c for c in candidates(world, "a_residents") if c.elected][0]
    client = ui("county")
    client.post(url(world, "a_residents", "/complaints"), {
        "comp-category": "bribery", "comp-candidate": str(elected.id), "comp-received_on": "2014-12-09",
        "comp-summary": "贿选"})
    with world.db.uow(write=False) as uow:
        cid = uow.session.scalars(select(Complaint)).one().id
    prefix = f"res{cid}"
    first = client.post(f"/complaints/{cid}/resolve", {f"{prefix}-outcome": "void_election"})
    assert first.status_code == 200 and "确认宣布" in text(first) and elected.name in text(first)
    assert election_state(world, "a_residents") == "certification"
    missing = client.post(f"/complaints/{cid}/resolve", {f"{prefix}-outcome": "void_election",
                                                          f"{prefix}-confirmed": "1", f"{prefix}-note": ""})
    assert missing.status_code == 400 and "请填写原因" in text(missing)
    done = client.post(f"/complaints/{cid}/resolve", {f"{prefix}-outcome": "void_election",
                                                       f"{prefix}-confirmed": "1", f"{prefix}-note": "查实贿选"})
    assert done.status_code == 302
    assert election_state(world, "a_residents") == "voting"


def test_a_supervisor_suspends_with_a_reason_and_resumes(ui, world):
    client = ui("county")
    page = text(client.get(url(world, "a_party")))
    assert f'href="{url(world, "a_party", "/suspend")}"' in page
    confirm = client.get(url(world, "a_party", "/suspend"))
    assert confirm.status_code == 200 and "确认暂停这个选举" in text(confirm)
    missing = client.post(url(world, "a_party", "/suspend"), {"s-version": version(world, "a_party"),
                                                              "s-note": "", "s-review_on": "2014-12-20"})
    assert missing.status_code == 400 and "请填写此项" in text(missing) and 'value="2014-12-20"' in text(missing)
    done = client.post(url(world, "a_party", "/suspend"), {"s-version": version(world, "a_party"),
                                                           "s-note": "宗族势力干扰", "s-review_on": "2014-12-20"})
    assert done.status_code == 302 and election_state(world, "a_party") == "suspended"
    page = text(client.get(url(world, "a_party")))
    assert "暂停时所处阶段：准备阶段" in page and "复查日期 2014年12月20日" in page
    assert client.post(url(world, "a_party", "/transition"), {
        "trigger": "resume", "t-version": version(world, "a_party")}).status_code == 302
    assert election_state(world, "a_party") == "preparation"


def test_a_cadre_is_not_offered_suspension_and_cannot_force_it(ui, world):
    client = ui("cadre")
    assert "/suspend" not in text(client.get(url(world, "a_party")))
    response = client.post(url(world, "a_party", "/suspend"), {"s-version": version(world, "a_party"),
                                                               "s-note": "试试"})
    assert response.status_code == 403 and election_state(world, "a_party") == "preparation"


def test_a_supervisor_applies_the_village_law_to_a_converted_village(ui, world):
    client = ui("county")
    page = text(client.get(url(world, "v_residents")))
    assert "撤村建居且集体经济改制未完成的社区须适用村委会组织法" in page
    assert client.post(url(world, "v_residents", "/transition"), {
        "trigger": "apply_village_law", "t-version": version(world, "v_residents")}).status_code == 302
    assert "适用村委会组织法" in text(client.get(url(world, "v_residents")))


def test_the_supervisor_fact_of_seats_exception_is_offered_next_to_the_seats_guard(ui, world):
    with world.db.uow() as uow:
        record_fact(uow, world.actors["county"], world.elections["a_party"], "seats_exception_approved", True)
    page = text(ui("county").get(url(world, "a_party")))
    assert "上级批准的职数例外" in page


def test_a_cadre_blocked_by_a_supervisor_fact_sees_who_records_it_and_notifies_them(ui, world):
    client = ui("cadre")
    advance(world, "a_party", "nomination")
    page = text(client.get(url(world, "a_party")))
    assert "由谁记录：" in page and "通知其记录" in page
    response = client.post(url(world, "a_party", "/facts/candidate_list_approved/request"), {})
    assert response.status_code == 302
    assert "已通知：" in text(client.get(url(world, "a_party")))
