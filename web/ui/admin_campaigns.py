"""Administration: communities (create, edit flags) and campaigns (create, launch, order per community)."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow.auth import Actor, may_administer, require
from workflow.db import UnitOfWork
from workflow.errors import DomainError
from workflow.machines import ACTIVE_STATES
from workflow.models import Community, Election
from workflow.ruleset import ORG_TYPES, available_rule_sets, get_rule_set
from workflow.services.campaigns import (ORDERS, create_campaign, launch_campaign, list_campaigns, report_due_of,
                                         set_community_order)
from workflow.services.common import audit, community_scope, get_community, get_region
from workflow.services.structure import COMMUNITY_FLAGS, community_fields, create_community, upsert_community

from .blueprint import bp
from . import labels as UL
from .common import Pager, Problem, actor, page_number, uow, write
from .forms import CampaignForm, CommunityForm, ConfirmForm, OrderForm

NUMBERS = ("households", "voters", "party_members")


def update_community(uow_: UnitOfWork, a: Actor, code: str, raw: dict[str, Any]) -> Community:
    """Change a community's name, numbers and flags (key/difficult is derived again)."""
    fields = community_fields({**raw, "code": code}, creating=False)
    require(may_administer(a))
    get_community(uow_.session, a, code)  # outside the area: not found
    c = upsert_community(uow_.session, a, fields, creating=False)
    audit(uow_.session, a, "community_updated", community_id=c.id, data={"code": c.code, **{
        k: v for k, v in fields.items() if k != "code"}})
    return c


def _community_form(formdata: bool, **data: Any) -> CommunityForm:
    form = CommunityForm(prefix="comm", **data) if formdata else CommunityForm(formdata=None, prefix="comm", **data)
    form.party_org_type.choices = [(t, UL.text(UL.ORG_TYPES, t)) for t in ORG_TYPES]
    return form


def _community_payload(form: CommunityForm, creating: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"name": form.name.data.strip(), "party_org_type": form.party_org_type.data,
                           "other_risk": (form.other_risk.data or "").strip() or None}
    if creating:
        raw.update(code=form.code.data.strip(), street=form.street.data.strip())
    for name in NUMBERS:
        if getattr(form, name).data is not None:
            raw[name] = getattr(form, name).data
    for flag in COMMUNITY_FLAGS:
        raw[flag] = bool(getattr(form, flag).data)
    return raw


@bp.route("/admin/communities", methods=["GET", "POST"])
def admin_communities() -> Any:
    """List the communities of a street and create new ones."""
    a = actor()
    street = (request.values.get("street") or "").strip()
    form = _community_form(request.method == "POST", street=street)
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            write(create_community, _community_payload(form, creating=True))
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form)
        else:
            flash(_("Community %(name)s created.", name=form.name.data.strip()), "success")
            return redirect(url_for("ui.admin_communities", street=form.street.data.strip()))
    page, per = page_number(), int(current_app.config.get("UI_PER_PAGE", 25))
    rows, total, street_name = [], 0, None
    if street:
        with uow() as work:
            s = work.session
            region = get_region(s, a, street)
            street_name = region.name
            cond = [Community.street_id == region.id, community_scope(a)]
            total = s.scalar(select(func.count()).select_from(Community).where(*cond)) or 0
            rows = [{"code": c.code, "name": c.name, "key": c.key_difficult, "households": c.households,
                     "voters": c.voters} for c in s.scalars(select(Community).where(*cond).order_by(Community.code)
                                                            .offset((page - 1) * per).limit(per))]
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("admin/communities.html", form=form, rows=rows, street=street, street_name=street_name,
                           problem=problem, pager=Pager(total, page, per, "ui.admin_communities",
                                                        street=street)), status


@bp.route("/admin/communities/<code>", methods=["GET", "POST"])
def admin_community(code: str) -> Any:
    """Edit a community's numbers and key/difficult flags."""
    a = actor()
    with uow() as work:
        c = get_community(work.session, a, code)
        data = {k: getattr(c, k) for k in ("code", "name", "households", "voters", "party_org_type",
                                           "party_members", "other_risk", *COMMUNITY_FLAGS)}
        data["street"] = c.street.code
        key = c.key_difficult
    form = _community_form(request.method == "POST", data=data)
    problem = None
    if request.method == "POST":
        form.code.data, form.street.data = data["code"], data["street"]
        if form.validate_on_submit():
            try:
                write(update_community, code, _community_payload(form, creating=False))
            except DomainError as exc:
                problem = Problem(exc)
                problem.attach(form)
            else:
                flash(_("Community %(name)s saved.", name=form.name.data.strip()), "success")
                return redirect(url_for("ui.admin_community", code=code))
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("admin/community.html", form=form, code=code, key=key, problem=problem), status


def _campaign_form(formdata: bool) -> CampaignForm:
    form = CampaignForm(prefix="camp") if formdata else CampaignForm(formdata=None, prefix="camp")
    form.rule_set.choices = [(r, r) for r in available_rule_sets()]
    form.order.choices = [(o, UL.text(UL.ORDERS, o)) for o in ORDERS]
    return form


@bp.route("/admin/campaigns", methods=["GET", "POST"])
def admin_campaigns() -> Any:
    """List campaigns, create one with its due dates, launch it, set a community's order."""
    form = _campaign_form(request.method == "POST" and "camp-code" in request.form)
    order_form = OrderForm(prefix="ord") if "ord-community" in request.form else OrderForm(formdata=None, prefix="ord")
    order_form.order.choices = [(o, UL.text(UL.ORDERS, o)) for o in ORDERS]
    problem, problem_at = None, None
    if request.method == "POST" and "camp-code" in request.form and form.validate_on_submit():
        due = {st: getattr(form, f"due_{st}").data.isoformat() for st in ACTIVE_STATES}
        try:
            write(create_campaign, form.code.data.strip(), form.name.data.strip(), form.rule_set.data,
                  form.scope.data.strip(), form.order.data, due,
                  form.report_due.data.isoformat() if form.report_due.data else None)
        except DomainError as exc:
            problem, problem_at = Problem(exc), "create"
            problem.attach(form, {f"due.{st}": f"due_{st}" for st in ACTIVE_STATES}
                           | {"due": "due_preparation", "report_due": "report_due"})
        else:
            flash(_("Campaign %(code)s created. Launch it to create the elections.", code=form.code.data.strip()),
                  "success")
            return redirect(url_for("ui.admin_campaigns"))
    elif request.method == "POST" and "ord-community" in request.form and order_form.validate_on_submit():
        try:
            write(set_community_order, order_form.campaign.data, order_form.community.data.strip(),
                  order_form.order.data)
        except DomainError as exc:
            problem, problem_at = Problem(exc), "order"
            problem.attach(order_form, {"order": "order"})
            if exc.code == "not_found":
                order_form.community.errors = [_("No such community in your area.")]
        else:
            flash(_("Order saved for community %(code)s.", code=order_form.community.data.strip()), "success")
            return redirect(url_for("ui.admin_campaigns"))
    with uow() as work:
        s = work.session
        camps = list_campaigns(work, actor())
        counts = dict(s.execute(select(Election.campaign_id, func.count()).where(
            Election.campaign_id.in_([c.id for c in camps])).group_by(Election.campaign_id)).all()) if camps else {}
        campaigns = [{"code": c.code, "name": c.name, "rule_set": c.rule_set, "scope": c.scope.name,
                      "order": UL.text(UL.ORDERS, c.order), "due": c.due, "launched": c.launched_at,
                      "report_due": report_due_of(c), "report_due_own": c.report_due is not None,
                      "elections": counts.get(c.id, 0)} for c in camps]
    # a rule set's report date is only a suggestion for the campaign it was written for (domain.md §6)
    suggestions = [(name, get_rule_set(name).report_due) for name in available_rule_sets()
                   if get_rule_set(name).report_due]
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("admin/campaigns.html", form=form, order_form=order_form, campaigns=campaigns,
                           problem=problem, problem_at=problem_at, launch_form=ConfirmForm(formdata=None),
                           states=ACTIVE_STATES, suggestions=suggestions), status


@bp.route("/admin/campaigns/<code>/launch", methods=["POST"])
def admin_campaign_launch(code: str) -> Any:
    """Create the two elections of every community in the campaign's region that has none yet."""
    ConfirmForm().validate_on_submit()
    try:
        created = write(launch_campaign, code)
    except DomainError as exc:
        flash(Problem(exc).message, "error")
    else:
        flash(_("Campaign launched: %(n)d elections created.", n=created), "success")
    return redirect(url_for("ui.admin_campaigns"))
