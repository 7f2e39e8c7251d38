"""Campaigns: create, launch (two elections per community), order overrides, bulk acceptance, progress."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import and_, case, func, insert, literal, select
from sqlalchemy.orm import Session, joinedload

from ..auth import Actor, may_administer, require
from ..clock import now, today
from ..db import UnitOfWork
from ..errors import Duplicate, Forbidden, GuardsFailed, InvalidRequest, NotFound
from ..machines import ACTIVE_STATES, MAIN_PATH
from ..models import Campaign, Community, CommunityOrder, Election, Fact, Region
from ..ruleset import RuleSetError, get_rule_set
from .campaign_dates import report_due as campaign_report_due
from .common import (audit, community_scope, level_column, get_community, get_region, parse_date, region_scope,
                     require_choice, require_text)
from .election_data import record_facts
from .elections import fire_trigger

ORDERS = ("party_first", "residents_first", "concurrent")
BODIES = ("party", "residents")
PROGRESS_STATES = MAIN_PATH + ("suspended",)


def report_due_of(campaign: Campaign) -> dt.date:
    """The campaign's report date: its own; else its summary due date + 10 days (campaign_dates decides)."""
    return campaign_report_due(campaign)


def create_campaign(uow: UnitOfWork, actor: Actor, code: Any, name: Any, rule_set: Any, scope: Any,
                    order: Any = "party_first", due: Any = None, report_due: Any = None) -> Campaign:
    """Create a campaign with its rule set, a due date per state and its own report date (or none: the default)."""
    s = uow.session
    code_text = require_text(code, "code", 40)
    name_text = require_text(name, "name", 200)
    if not isinstance(rule_set, str):
        raise InvalidRequest.one("rule_set", "is required", "必填")
    try:
        rules = get_rule_set(rule_set)
    except RuleSetError as exc:
        raise InvalidRequest.one("rule_set", str(exc), f"未知的规则集：{rule_set}") from None
    order_text = require_choice(order or "party_first", "order", ORDERS)
    if not isinstance(due, dict):
        raise InvalidRequest.one("due", "must be an object {state: date}", "必须是“阶段: 日期”的对象")
    unknown = set(due) - set(ACTIVE_STATES)
    if unknown:
        raise InvalidRequest({f"due.{k}": ("is not a state with a due date", "不是有截止日期的阶段") for k in unknown})
    due_dates = {st: parse_date(due.get(st), f"due.{st}") for st in ACTIVE_STATES}
    report_day = parse_date(report_due, "report_due", required=False)
    ordered = [due_dates[st] for st in ACTIVE_STATES]
    if any(b < a for a, b in zip(ordered, ordered[1:])):  # type: ignore[operator]
        raise InvalidRequest.one("due", "due dates must not go backwards along the states",
                                 "各阶段截止日期不能早于前一阶段")
    require(may_administer(actor))
    region = get_region(s, actor, scope)
    if s.scalar(select(Campaign.id).where(Campaign.code == code_text)) is not None:
        raise Duplicate("this campaign code is already used", "该换届工作代码已存在")
    campaign = Campaign(code=code_text, name=name_text, rule_set=rules.name, scope_id=region.id,
                        order=order_text, due={k: v.isoformat() for k, v in due_dates.items() if v},
                        report_due=report_day)
    s.add(campaign)
    s.flush()
    audit(s, actor, "campaign_created", data={"code": code_text, "rule_set": rules.name, "scope": region.code,
                                               "order": order_text, "due": campaign.due,
                                               "report_due": report_day.isoformat() if report_day else None})
    return campaign


def get_campaign(s: Session, actor: Actor, code: Any) -> Campaign:
    """Load a campaign the actor may see: its scope contains, or lies inside, the actor's scope."""
    campaign = s.scalars(select(Campaign).where(Campaign.code == str(code))).first()
    if campaign is None or not campaign_visible(s, actor, campaign):
        raise NotFound()
    return campaign


def campaign_visible(s: Session, actor: Actor, campaign: Campaign, scope: Optional[Region] = None) -> bool:
    """A campaign is visible when its region and the actor's scope overlap (scope: the actor's, if loaded)."""
    if actor.scope_id is None:
        return actor.is_admin
    region = campaign.scope
    scope = scope if scope is not None and scope.id == actor.scope_id else s.get(Region, actor.scope_id)
    if scope is None:
        return False
    ancestors = {scope.id, scope.province_id, scope.city_id, scope.county_id, scope.parent_id}
    inside = region.id == scope.id or getattr(region, f"{scope.level}_id", None) == scope.id
    return inside or region.id in ancestors


def list_campaigns(uow: UnitOfWork, actor: Actor) -> list[Campaign]:
    """Return the campaigns visible to the actor, newest first."""
    s = uow.session
    # one query: the scopes come with the campaigns, and the actor's region is held here (the session's identity
    # map is weak, so a get() per campaign went back to the database every time: 2 queries per campaign)
    scope = s.get(Region, actor.scope_id) if actor.scope_id is not None else None
    rows = s.scalars(select(Campaign).options(joinedload(Campaign.scope)).order_by(Campaign.id.desc()))
    return [c for c in rows if campaign_visible(s, actor, c, scope)]


def launch_campaign(uow: UnitOfWork, actor: Actor, code: Any) -> int:
    """Create the two elections of every community in scope that has none yet (idempotent, set-based)."""
    s = uow.session
    campaign = get_campaign(s, actor, code)
    require(may_administer(actor))
    level = campaign.scope.level
    column = level_column(level)
    due = campaign.due.get("preparation")
    due_on = dt.date.fromisoformat(due) if due else None
    created = 0
    stamp = now()
    for body in BODIES:
        exists = select(Election.id).where(Election.campaign_id == campaign.id,
                                           Election.community_id == Community.id, Election.body == body).exists()
        source = select(literal(campaign.id), Community.id, literal(body), literal("preparation"), literal(1),
                        literal(due_on), literal(0), literal(False), literal(stamp), literal(stamp)).where(
            column == campaign.scope_id, community_scope(actor), ~exists)
        result = s.execute(insert(Election).from_select(
            ["campaign_id", "community_id", "body", "state", "version", "due_on", "due_shift_days",
             "village_law", "state_entered_at", "updated_at"], source).returning(Election.id))
        created += len(result.all())  # psycopg reports no rowcount for INSERT … SELECT
    campaign.launched_at = campaign.launched_at or stamp
    audit(s, actor, "campaign_launched", data={"campaign": campaign.code, "created": created})
    s.flush()
    return created


def set_community_order(uow: UnitOfWork, actor: Actor, code: Any, community_code: Any, order: Any) -> str:
    """Override the order of a community's two elections in a campaign (supervisor)."""
    s = uow.session
    campaign = get_campaign(s, actor, code)
    community = get_community(s, actor, community_code)
    order_text = require_choice(order, "order", ORDERS)
    require(actor.role in ("supervisor", "admin"))
    row = s.get(CommunityOrder, (campaign.id, community.id))
    if row is None:
        s.add(CommunityOrder(campaign_id=campaign.id, community_id=community.id, order=order_text))
    else:
        row.order = order_text
    audit(s, actor, "order_set", community_id=community.id, data={"campaign": campaign.code, "order": order_text})
    s.flush()
    return order_text


def summary_elections(s: Session, actor: Actor, campaign: Campaign, region: Region) -> list[Election]:
    """Return the campaign's elections in summary inside region and the actor's scope."""
    column = level_column(region.level)
    return list(s.scalars(select(Election).join(Community).where(
        Election.campaign_id == campaign.id, Election.state == "summary", column == region.id,
        community_scope(actor)).order_by(Election.id)))


def accept_region(uow: UnitOfWork, actor: Actor, code: Any, region_code: Any, dry_run: bool = False) -> dict[str, Any]:
    """Fire accept_summary on every election of the region in summary that meets its guards (each on its own)."""
    s = uow.session
    campaign = get_campaign(s, actor, code)
    region = get_region(s, actor, region_code)
    if not actor.city_or_above:
        raise Forbidden()
    accepted: list[int] = []
    skipped: list[dict[str, Any]] = []
    for election in summary_elections(s, actor, campaign, region):
        try:
            with s.begin_nested():
                # the bulk action is the city's inspection (检查验收): it records inspection_accepted, then each
                # election still passes its own guards (summary_written); a skipped one keeps no fact
                facts = s.scalars(select(Fact.value).where(Fact.election_id == election.id,
                                                           Fact.key == "inspection_accepted")).first()
                if facts is not True:
                    record_facts(uow, actor, election.id, {"inspection_accepted": True},
                                 "检查验收（批量）" if actor.language != "en" else "inspection (bulk)")
                fire_trigger(uow, actor, election.id, "accept_summary", election.version,
                             note="bulk acceptance" if not dry_run else None)
                if dry_run:
                    raise _DryRun()
            accepted.append(election.id)
        except _DryRun:
            accepted.append(election.id)
        except GuardsFailed as exc:
            skipped.append({"id": election.id, "community": election.community.code,
                            "unmet": [u.as_dict(actor.language) for u in exc.unmet]})
    return {"accepted": len(accepted), "accepted_ids": accepted, "skipped": skipped}


class _DryRun(Exception):
    """Rolls back one savepoint in a preview."""


def progress(uow: UnitOfWork, actor: Actor, code: Any, region_code: Any = None) -> dict[str, Any]:
    """Count elections per body and state, overdue and suspended, inside a region (api.md)."""
    s = uow.session
    campaign = get_campaign(s, actor, code)
    region = get_region(s, actor, region_code) if region_code else (
        campaign.scope if campaign_visible(s, actor, campaign) and (actor.sees_everything() or
                                                                    _scope_contains(actor, campaign.scope))
        else s.get(Region, actor.scope_id))
    assert region is not None
    column = level_column(region.level)
    day = today()
    where = and_(Election.campaign_id == campaign.id, column == region.id, community_scope(actor))
    overdue = case((and_(Election.due_on.is_not(None), Election.due_on < day, Election.state != "closed"), 1),
                   else_=0)
    rows = s.execute(select(Election.body, Election.state, func.count(), func.sum(overdue))
                     .join(Community).where(where).group_by(Election.body, Election.state)).all()
    bodies: dict[str, Any] = {b: {"states": {st: 0 for st in PROGRESS_STATES}, "overdue": 0, "suspended": 0}
                              for b in BODIES}
    for body, state, n, late in rows:
        bodies[body]["states"][state] = n
        bodies[body]["overdue"] += int(late or 0)
        if state == "suspended":
            bodies[body]["suspended"] = n
    communities = s.scalar(select(func.count()).select_from(Community).where(column == region.id,
                                                                            community_scope(actor))) or 0
    return {"campaign": campaign.code, "region": region.code, "communities": communities, "bodies": bodies}


def _scope_contains(actor: Actor, region: Region) -> bool:
    from .common import region_in_scope
    return region_in_scope(actor, region)


def visible_regions(s: Session, actor: Actor) -> Any:
    """Return an SQL condition for regions in scope (re-exported for entry points)."""
    return region_scope(actor)
