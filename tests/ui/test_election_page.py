"""The election page: stepper, checklist, facts, actions with their reasons, conflicts, scope and roles."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.ui.conftest import advance, election_state, text, version
from workflow.models import Fact
from workflow.walk import PREP_COMMON

PARTY_PREP = PREP_COMMON + ("org_setup_confirmed",)


def url(world, key, tail=""):
    return f"/elections/{world.elections[key]}{tail}"


def facts(world, key):
    with world.db.uow(write=False) as uow:
        return {f.key: f.value for f in uow.session.scalars(select(Fact).where(
            Fact.election_id == world.elections[key]))}


def test_the_page_shows_the_steps_the_checklist_and_why_the_next_step_is_not_possible(ui, world):
    page = text(ui("cadre").get(url(world, "a_party")))
    assert re.search(r'class="step step-current"[^>]*aria-current="step"', page)
    assert page.count('class="step step-ahead') == 7
    assert "完成本阶段：准备阶段" in page and "已满足 0 项" in page
    assert 'id="check-leadership_group_formed"' in page and "街道换届选举工作机构已成立" in page
    assert re.search(r'value="open_nomination"[^>]*disabled', page)
    why = page[page.index('id="why-open_nomination"'):]
    assert "暂不能进行，还缺少" in why and "街道换届选举工作机构已成立" in why and "委员职数在规定范围内" in why


def test_recording_a_fact_turns_its_item_green_and_enters_the_history(ui, world):
    client = ui("cadre")
    response = client.post(url(world, "a_party", "/facts/leadership_group_formed"),
                           {"value": "yes", "note": "街道党工委12月5日发文"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#fact-leadership_group_formed")
    page = text(client.get(url(world, "a_party")))
    assert 'class="check check-ok" id="check-leadership_group_formed"' in page
    assert "已记录：成立街道换届选举工作机构" in page
    assert "街道党工委12月5日发文" in page and "记录事项" in page
    assert facts(world, "a_party")["leadership_group_formed"] is True


def test_a_fact_can_be_set_to_no_and_retracted(ui, world):
    client = ui("cadre")
    client.post(url(world, "a_party", "/facts/publicity_done"), {"value": "no"})
    assert facts(world, "a_party")["publicity_done"] is False
    client.post(url(world, "a_party", "/facts/publicity_done"), {"value": "", "retract": "1"})
    assert facts(world, "a_party")["publicity_done"] is None
    assert "已撤回" in text(client.get(url(world, "a_party")))


def test_pressing_enter_in_a_note_records_nothing_and_keeps_the_note(ui, world):
    response = ui("cadre").post(url(world, "a_party", "/facts/staff_trained"), {"value": "", "note": "培训了两次"})
    assert response.status_code == 400
    page = text(response)
    assert "请选择“是”或“否”" in page and 'value="培训了两次"' in page
    assert "staff_trained" not in facts(world, "a_party")


def test_a_bad_date_is_refused_next_to_the_field_and_the_typed_value_stays(ui, world):
    response = ui("cadre").post(url(world, "a_residents", "/facts/election_day"),
                                {"value": "2015-02-30", "note": "待定"})
    assert response.status_code == 400
    page = text(response)
    assert "必须是有效日期" in page and 'value="2015-02-30"' in page and 'value="待定"' in page


def test_the_election_mode_is_chosen_from_a_list(ui, world):
    client = ui("cadre")
    page = text(client.get(url(world, "a_residents")))
    assert "直接选举" in page and "户代表选举" in page and "居民代表选举" in page
    client.post(url(world, "a_residents", "/facts/election_mode"), {"value": "household"})
    assert facts(world, "a_residents")["election_mode"] == "household"


def test_a_cadre_records_the_preparation_and_opens_nomination(ui, world):
    client = ui("cadre")
    for key in PARTY_PREP:
        assert client.post(url(world, "a_party", f"/facts/{key}"), {"value": "yes"}).status_code == 302
    assert client.post(url(world, "a_party", "/seats"), {"seats-member": "5"}).status_code == 302
    page = text(client.get(url(world, "a_party")))
    assert "已满足 7 项，共 7 项" in page and 'class="check check-no"' not in page
    assert not re.search(r'value="open_nomination"[^>]*disabled', page)
    response = client.post(url(world, "a_party", "/transition"),
                           {"trigger": "open_nomination", "t-version": version(world, "a_party"), "t-note": "按期"})
    assert response.status_code == 302
    assert election_state(world, "a_party") == "nomination"
    page = text(client.get(url(world, "a_party")))
    assert "已完成：启动提名" in page and "完成本阶段：提名推荐" in page and "按期" in page


def test_taking_a_step_too_early_lists_every_missing_condition(ui, world):
    response = ui("cadre").post(url(world, "a_party", "/transition"),
                                {"trigger": "open_nomination", "t-version": version(world, "a_party")})
    assert response.status_code == 409
    page = text(response)
    box = page[page.index('class="problem"'):]
    assert "暂时不能进行这一步，还缺少" in box
    assert box.count("<li>") >= 8 and "选举工作经费已纳入财政预算" in box
    assert election_state(world, "a_party") == "preparation"


def test_a_stale_version_shows_a_friendly_conflict_and_keeps_the_note(ui, world):
    advance(world, "a_party", "candidate_meeting")
    client = ui("cadre")
    for key in ("candidates_introduced", "polling_arrangements_ready"):
        client.post(url(world, "a_party", f"/facts/{key}"), {"value": "yes"})
    response = client.post(url(world, "a_party", "/transition"),
                           {"trigger": "open_voting", "t-version": "1", "t-note": "我写的说明"})
    assert response.status_code == 409
    page = text(response)
    assert "其他人修改了这个选举" in page and "我写的说明" in page
    assert f'href="{url(world, "a_party")}">重新加载页面' in page
    assert election_state(world, "a_party") == "candidate_meeting"
    fresh = re.search(r'name="t-version" type="hidden" value="(\d+)"', page).group(1)
    assert int(fresh) == version(world, "a_party")  # the page shows the latest state: a second press works
    response = client.post(url(world, "a_party", "/transition"),
                           {"trigger": "open_voting", "t-version": fresh, "t-note": "我写的说明"})
    assert response.status_code == 302 and election_state(world, "a_party") == "voting"


def test_forms_without_the_csrf_token_change_nothing(ui, world):
    client = ui("cadre")
    response = client.post(url(world, "a_party", "/facts/publicity_done"), {"value": "yes"}, csrf=False)
    assert response.status_code == 400 and "表单已过期" in text(response)
    assert "publicity_done" not in facts(world, "a_party")
    response = client.post(url(world, "a_party", "/transition"), {"trigger": "suspend"}, csrf=False)
    assert response.status_code == 400


def test_an_election_outside_the_users_area_is_not_found(ui, world):
    client = ui("othercadre")
    assert client.get(url(world, "a_party")).status_code == 404
    assert "不在您的管辖范围内" in text(client.get(url(world, "a_party")))
    assert client.post(url(world, "a_party", "/facts/publicity_done"), {"value": "yes"}).status_code == 404
    assert client.post(url(world, "a_party", "/transition"), {"trigger": "open_nomination",
                                                              "t-version": "1"}).status_code == 404
    assert client.get(url(world, "a_party", "/suspend")).status_code == 404
    assert client.get("/elections/999999").status_code == 404
    assert client.get("/candidates/999999/edit").status_code == 404
    assert "publicity_done" not in facts(world, "a_party")


def test_a_cadre_cannot_record_a_supervisors_fact(ui, world):
    advance(world, "a_party", "nomination")
    client = ui("cadre")
    page = text(client.get(url(world, "a_party")))
    assert "由督导记录" in page
    response = client.post(url(world, "a_party", "/facts/candidate_list_approved"), {"value": "yes"})
    assert response.status_code == 403 and "您的角色无权进行此操作" in text(response)
    assert ui("county").post(url(world, "a_party", "/facts/candidate_list_approved"),
                             {"value": "yes"}).status_code == 302


def test_observers_read_the_page_but_have_no_forms(ui, world):
    client = ui("observer")
    page = text(client.get(url(world, "a_party")))
    assert "完成本阶段" in page and 'class="fact-form"' not in page
    assert re.search(r'value="open_nomination"[^>]*disabled', page) and "您的角色无权进行此操作" in page
    assert "/suspend" not in page and 'name="t-note"' not in page
    assert client.post(url(world, "a_party", "/facts/publicity_done"), {"value": "yes"}).status_code == 403


def test_the_history_lists_what_happened_newest_first(ui, world):
    advance(world, "a_party", "nomination")
    page = text(ui("cadre").get(url(world, "a_party")))
    timeline = page[page.index('class="timeline"'):]
    assert timeline.index("启动提名") < timeline.index("成立街道换届选举工作机构")
    assert "准备阶段 → 提名推荐" in timeline and "cadre" in timeline


def test_the_state_diagram_is_drawn_with_the_current_state_highlighted(ui, world):
    advance(world, "a_party", "nomination")
    page = text(ui("cadre").get(url(world, "a_party")))
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="流程图'):]
    svg = svg[:svg.index("</svg>")]
    assert 'data-state="nomination" aria-current="step"' in svg
    assert all(f'data-state="{s}"' in svg for s in ("preparation", "voting", "closed", "suspended"))
    assert "另行选举" in svg and "当选无效" in svg


def test_the_machines_page_draws_both_elections_with_their_conditions(ui):
    page = text(ui("cadre").get("/machines"))
    assert page.count("<svg") == 2 and "社区党组织换届选举" in page and "社区居委会换届选举" in page
    assert "候选人数须多于应选人数（差额选举）" in page and "PR1990 Art. 12" in page
