"""Street-wide facts (domain.md §13): choose a fact for a region's elections, preview, then confirm."""
from __future__ import annotations

from typing import Any, Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from workflow.errors import DomainError
from workflow.facts import FACTS
from workflow.services.campaigns import get_campaign
from workflow.services.common import get_region
from workflow.services.street_facts import record_region_fact

from .blueprint import bp
from .common import Problem, actor, lang, uow


#: the preparation facts done once per street (N1(1)–(5)) are yes/no facts; dates stay per election
KEYS = tuple(k for k, spec in FACTS.items() if spec.type == "bool")


def fact_label(key: str) -> str:
    """The fact's name in the page's language."""
    spec = FACTS[key]
    return (spec.en if lang().startswith("en") else spec.zh) or key


class StreetFactForm(FlaskForm):
    """One fact for every election of a region."""

    campaign = HiddenField()
    region = HiddenField()
    body = SelectField(_l("Elections"), choices=[("both", _l("Both elections")), ("party", _l("Party election")),
                                                 ("residents", _l("Residents' election"))])
    key = SelectField(_l("Fact"), validators=[InputRequired()])
    value = SelectField(_l("Value"), choices=[("true", _l("Yes")), ("false", _l("No"))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


REASON_LABELS = {"closed": _l("closed"), "other_body": _l("other body"), "already_set": _l("already recorded"),
                 "not_read_now": _l("not needed in its current step (recorded all the same)")}


@bp.route("/supervise/facts", methods=["GET", "POST"])
def street_facts() -> Any:
    """Record one fact on every election of a street or larger region: preview first, then confirm."""
    a = actor()
    form = StreetFactForm()
    form.key.choices = [(k, fact_label(k)) for k in KEYS]
    code, region_code = request.values.get("campaign", ""), request.values.get("region", "")
    with uow() as work:
        camp = get_campaign(work.session, a, code)
        region = get_region(work.session, a, region_code)
        info = {"code": region.code, "name": region.name, "level": region.level}
        campaign = {"code": camp.code, "name": camp.name}
    form.campaign.data, form.region.data = code, region_code
    problem: Optional[Problem] = None
    preview = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        confirm = "confirm" in request.form
        args = (code, region_code, form.body.data, form.key.data, form.value.data == "true", form.note.data or None)
        try:
            with uow(write_=True) as work:
                result = record_region_fact(work, a, *args, preview=not confirm)
                if not confirm:
                    work.session.rollback()
        except DomainError as exc:
            problem = Problem(exc)
            status = problem.status
        else:
            if confirm:
                flash(_("“%(fact)s” recorded on %(n)d elections; %(m)d skipped.", fact=fact_label(form.key.data),
                        n=result["recorded"], m=sum(1 for s in result["skipped"] if not s["recorded"])), "success")
                return redirect(url_for("ui.supervise", campaign=code, region=region_code))
            for row in result["skipped"]:
                row["reason_label"] = str(REASON_LABELS.get(row["reason"], row["reason"]))
            preview = result
    return render_template("street_facts.html", campaign=campaign, region=info, form=form, preview=preview,
                           fact=fact_label(form.key.data) if form.key.data in FACTS else "",
                           error=problem.message if problem else None), status
