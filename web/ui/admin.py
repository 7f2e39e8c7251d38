"""Administration: users, regions and responsibilities (supervisors only inside their own area)."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from workflow.auth import LEVELS, ROLES, may_administer
from workflow.errors import DomainError, Forbidden
from workflow.models import Community, Region, Responsibility, User
from workflow.services.common import community_scope, get_region, region_scope
from workflow.services.structure import (RESPONSIBILITY_KINDS, create_region, create_user, review_departments,
                                         set_responsibility)

from .blueprint import bp
from . import labels as UL
from .common import Pager, Problem, actor, page_number, uow, write
from .forms import RegionForm, ResponsibilityForm, UserForm
from .i18n import label_of


@bp.before_request
def _admin_only() -> Any:
    """Administration pages are for supervisors and administrators."""
    if request.endpoint and request.endpoint.startswith("ui.admin") and current_user.is_authenticated \
            and not may_administer(actor()):
        raise Forbidden()
    return None


def _per_page() -> int:
    return int(current_app.config.get("UI_PER_PAGE", 25))


@bp.route("/admin")
def admin_home() -> Any:
    """The administration menu."""
    return render_template("admin/home.html")


def department_label(code: str) -> str:
    """A joint-review department's label in the page's language (the rule sets carry zh and en)."""
    from workflow.ruleset import available_rule_sets, get_rule_set
    from .common import lang
    for name in available_rule_sets():
        review = get_rule_set(name).joint_review
        for d in (review.departments if review else ()):
            if d.code == code:
                return d.en if lang() == "en" else d.zh
    return code


def _user_form(formdata: Any = True) -> UserForm:
    form = UserForm(prefix="user") if formdata else UserForm(formdata=None, prefix="user")
    roles = [r for r in ROLES if r != "admin" or actor().is_admin]
    form.role.choices = [(r, label_of("role", r)) for r in roles]
    form.department.choices = [("", "—")] + [(code, department_label(code)) for code in review_departments()]
    return form


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users() -> Any:
    """List the users of the area and create new ones."""
    a = actor()
    form = _user_form(request.method == "POST")
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            write(create_user, form.username.data.strip(), form.password.data, form.role.data,
                  (form.scope.data or "").strip() or None, form.display_name.data or None, form.email.data or None,
                  form.department.data or None)
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form)
            if exc.code == "not_found":
                form.scope.errors = [_("There is no such region in your area.")]
        else:
            flash(_("User %(name)s created.", name=form.username.data.strip()), "success")
            return redirect(url_for("ui.admin_users"))
    page = page_number()
    with uow() as work:
        s = work.session
        cond = [] if a.sees_everything() else [region_scope(a)]
        stmt = select(User, Region).outerjoin(Region, Region.id == User.scope_id).where(*cond)
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        users = [{"username": u.username, "display_name": u.display_name, "role": u.role,
                  "scope": r.name if r else None, "scope_code": r.code if r else None, "active": u.active,
                  "language": u.language}
                 for u, r in s.execute(stmt.order_by(User.username).offset((page - 1) * _per_page())
                                       .limit(_per_page()))]
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("admin/users.html", form=form, users=users, problem=problem,
                           pager=Pager(total, page, _per_page(), "ui.admin_users")), status


@bp.route("/admin/regions", methods=["GET", "POST"])
def admin_regions() -> Any:
    """Browse the regions of the area and create new ones."""
    a = actor()
    form = RegionForm(prefix="region") if request.method == "POST" else RegionForm(formdata=None, prefix="region")
    form.level.choices = [(lv, label_of("level", lv)) for lv in LEVELS if lv != "province" or a.sees_everything()]
    problem = None
    parent_code = request.args.get("parent") or ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            write(create_region, form.code.data.strip(), form.name.data.strip(), form.level.data,
                  (form.parent.data or "").strip() or None)
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form)
            if exc.code == "not_found":
                form.parent.errors = [_("There is no such region in your area.")]
        else:
            flash(_("Region %(name)s created.", name=form.name.data.strip()), "success")
            return redirect(url_for("ui.admin_regions", parent=(form.parent.data or "").strip() or None))
    with uow() as work:
        s = work.session
        parent = get_region(s, a, parent_code) if parent_code else None
        if parent is not None:
            rows = s.scalars(select(Region).where(Region.parent_id == parent.id, region_scope(a))
                             .order_by(Region.code)).all()
        elif a.sees_everything():
            rows = s.scalars(select(Region).where(Region.parent_id.is_(None)).order_by(Region.code)).all()
        else:
            rows = s.scalars(select(Region).where(Region.id == a.scope_id)).all()
        regions = [{"code": r.code, "name": r.name, "level": r.level} for r in rows]
        parent_info = {"code": parent.code, "name": parent.name, "level": parent.level} if parent else None
    if request.method == "GET" and parent_info:
        form.parent.data = parent_info["code"]
        nxt = {"province": "city", "city": "county", "county": "street"}.get(parent_info["level"])
        if nxt:
            form.level.data = nxt
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("admin/regions.html", form=form, regions=regions, parent=parent_info,
                           problem=problem), status


@bp.route("/admin/responsibilities", methods=["GET", "POST"])
def admin_responsibilities() -> Any:
    """Name who answers for a region or community (三包三保), and the first and direct responsible persons."""
    a = actor()
    form = ResponsibilityForm(prefix="resp") if request.method == "POST" else \
        ResponsibilityForm(formdata=None, prefix="resp")
    form.kind.choices = [(k, UL.text(UL.RESPONSIBILITY_KINDS, k)) for k in RESPONSIBILITY_KINDS]
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            write(set_responsibility, form.target.data.strip(), form.username.data.strip(), form.kind.data)
        except DomainError as exc:
            problem = Problem(exc)
            problem.attach(form, {"target": "target", "username": "username", "kind": "kind"})
            if exc.code == "not_found":
                form.target.errors = [_("There is no such region or community in your area.")]
        else:
            flash(_("Responsibility saved."), "success")
            return redirect(url_for("ui.admin_responsibilities"))
    page = page_number()
    with uow() as work:
        s = work.session
        stmt = (select(Responsibility, User.username, Region.name, Community.name)
                .join(User, User.id == Responsibility.user_id)
                .outerjoin(Region, Region.id == Responsibility.region_id)
                .outerjoin(Community, Community.id == Responsibility.community_id)
                .where(or_(and_(Responsibility.region_id.is_not(None), region_scope(a)),
                           and_(Responsibility.community_id.is_not(None), community_scope(a)))))
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = [{"target": r.target_code, "target_name": rn or cn, "kind": UL.text(UL.RESPONSIBILITY_KINDS, r.kind),
                 "username": un} for r, un, rn, cn in s.execute(
            stmt.order_by(Responsibility.target_code, Responsibility.kind)
            .offset((page - 1) * _per_page()).limit(_per_page()))]
    status = problem.status if problem else (400 if request.method == "POST" else 200)
    return render_template("admin/responsibilities.html", form=form, rows=rows, problem=problem,
                           pager=Pager(total, page, _per_page(), "ui.admin_responsibilities")), status
