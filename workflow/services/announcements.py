"""Publishing announcements (公告, domain.md §11): numbered, rendered once and kept, superseding, recording dates.

No announcement shows an id number, a birth date or an address: the contexts below hand the templates only
names, genders, residents' groups, posts and counts.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import announcements as render
from ..auth import Actor, may_edit_election, require
from ..clock import now, today
from ..db import UnitOfWork
from ..errors import InvalidRequest, InvalidState, NotFound
from ..labels import BODIES, MODES
from ..models import Announcement, Candidate, Election, Fact, Round, Voter
from ..ruleset import AnnouncementSpec, RuleSet, get_rule_set
from .common import audit, get_election, parse_date, require_text
from .objections import set_computed_fact
from .voters import published_on, registered

GENDER_ZH = {"f": "女", "m": "男", None: ""}
POST_ZH = {"director": "主任", "deputy_director": "副主任", "member": "委员"}
RESULT_STATES = ("certification", "handover", "summary", "closed")
NO_GROUP = "未分组"


def announcement_dict(a: Announcement) -> dict[str, Any]:
    """Return an announcement as the API shows it, with the API paths of its documents."""
    return {"id": a.id, "election": a.election_id, "kind": a.kind, "number": a.number, "title": a.title,
            "published_on": a.published_on.isoformat(), "note": a.note, "supersedes": a.supersedes_id,
            "superseded": a.superseded, "html_sha256": a.html_sha256, "pdf_sha256": a.pdf_sha256,
            "html": f"/api/v1/announcements/{a.id}/document.html", "pdf": f"/api/v1/announcements/{a.id}/document.pdf"}


def _spec(rules: RuleSet, election: Election, kind: Any) -> AnnouncementSpec:
    specs = rules.announcement_kinds(election.body)
    spec = next((a for a in specs if a.kind == kind), None)
    if spec is None:
        kinds = ", ".join(a.kind for a in specs) or "none"
        raise InvalidRequest.one("kind", f"is not an announcement of this election (its rule set has: {kinds})",
                                 f"不是该选举的公告类型（本规则的公告：{kinds}）")
    return spec


def publish(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> Announcement:
    """Publish an announcement: render it from the election's data now, number it, keep it, record its date."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = sorted(set(raw) - {"kind", "published_on", "note"})
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in unknown})
    rules = get_rule_set(election.campaign.rule_set)
    spec = _spec(rules, election, raw.get("kind"))
    note = require_text(raw.get("note"), "note", 2000, required=False)
    day = parse_date(raw.get("published_on"), "published_on", required=False) or today()
    if day > today():
        raise InvalidRequest.one("published_on", "must not be later than today", "不能晚于今天")
    if day < today() and not note:
        raise InvalidRequest.one("note", "an announcement dated before today needs a note", "补登以前日期的公告须填写说明")
    require(may_edit_election(actor))
    _check_ready(s, election, rules, spec.kind)
    previous = s.scalars(select(Announcement).where(
        Announcement.election_id == election.id, Announcement.kind == spec.kind,
        Announcement.superseded.is_(False)).order_by(Announcement.id.desc())).first()
    number = (s.scalar(select(func.max(Announcement.number)).where(Announcement.election_id == election.id)) or 0) + 1
    title = f"{election.community.name}{spec.zh}"
    context = _context(s, election, rules, spec.kind)
    context.update(title=title, number=number, note=note or "", date_zh=render.chinese_date(day),
                   signature=_signature(election), supersedes=previous.number if previous else None)
    html = render.render_html(rules.folder, spec.template, context)  # type: ignore[arg-type]
    pdf = render.render_pdf(html)
    row = Announcement(election_id=election.id, kind=spec.kind, number=number, title=title, published_on=day,
                       note=note, supersedes_id=previous.id if previous else None, html=html, pdf=pdf,
                       html_sha256=render.sha256(html), pdf_sha256=render.sha256(pdf), published_by=actor.user_id,
                       created_at=now())
    s.add(row)
    if previous is not None:
        previous.superseded = True
    s.flush()
    _record_date(s, actor, election, rules, spec, day)
    audit(s, actor, "announcement_published", election=election, note=note,
          data={"announcement": row.id, "kind": spec.kind, "number": number, "title": title,
                "published_on": day.isoformat(), "supersedes": row.supersedes_id,
                "html_sha256": row.html_sha256, "pdf_sha256": row.pdf_sha256})
    s.flush()
    return row


def _check_ready(s: Session, election: Election, rules: RuleSet, kind: str) -> None:
    """What each announcement needs before it can be posted (409 invalid_state otherwise)."""
    if kind in ("voter_list", "proxy_list") and rules.voter_roll:
        if election.election_day is None:
            raise InvalidState("record the fact election_day first", "请先填写选举日")
        if registered(s, election.id) == 0:
            raise InvalidState("the roll is empty", "选民名单为空")
    if kind == "voter_list" and rules.voter_roll and published_on(s, election.id) is None \
            and election.state not in ("preparation", "nomination"):
        raise InvalidState("the roll is first published in preparation or nomination", "选民名单应在准备或提名阶段公布")
    if kind == "result" and (election.state if election.state != "suspended" else election.suspended_from) \
            not in RESULT_STATES:
        raise InvalidState("the result is announced once it is known (certification or later)",
                           "选举结果在当选确认阶段及以后公告")


def _record_date(s: Session, actor: Actor, election: Election, rules: RuleSet, spec: AnnouncementSpec,
                 day: dt.date) -> None:
    """Record the date fact of the announcement: the roll's first publication stays (the 20 days count from it)."""
    if spec.records is None:
        return
    if spec.records == "voter_list_published_on":
        if published_on(s, election.id) is not None:
            return
        set_computed_fact(s, actor, election, "voter_list_published_on", day.isoformat())
        if rules.voter_roll:  # no objection can be open before the roll is out
            set_computed_fact(s, actor, election, "voter_objections_resolved", True)
        return
    set_computed_fact(s, actor, election, spec.records, day.isoformat())


def _signature(election: Election) -> str:
    name = election.community.name
    return f"{name}居民选举委员会" if election.body == "residents" else f"中共{name}委员会"


def _base(s: Session, election: Election, rules: RuleSet) -> dict[str, Any]:
    facts = dict(s.execute(select(Fact.key, Fact.value).where(Fact.election_id == election.id)).all())
    day = election.election_day
    mode = facts.get("election_mode")
    seats = {k: int(v) for k, v in (election.seats or {}).items()}
    roll = rules.roll
    return {"community": election.community.name, "term": None, "polling_place": None,
            "election_day_zh": render.chinese_date(day) if day else None,
            "mode_zh": MODES[mode][0] if mode in MODES else "另行公告", "seats": seats,
            "seats_total": sum(seats.values()), "body_zh": BODIES[election.body][0],
            "voter_list_days": rules.residents_rules(election.village_law).voter_list_days,
            "objection_days": roll.objection_days if roll else None,
            "objection_decision_days": roll.objection_decision_days if roll else None,
            "proxy_max": rules.residents_rules(election.village_law).proxy_max}


def _context(s: Session, election: Election, rules: RuleSet, kind: str) -> dict[str, Any]:
    """The data a template sees: never an id number, a birth date or an address."""
    ctx = _base(s, election, rules)
    if kind == "voter_list":
        rows = s.execute(select(Voter.name, Voter.gender, Voter.group_name).where(
            Voter.election_id == election.id, Voter.status == "registered")
            .order_by(Voter.group_name, Voter.name, Voter.id)).all()
        groups: list[dict[str, Any]] = []
        for name, gender, group in rows:
            label = group or NO_GROUP
            if not groups or groups[-1]["group"] != label:
                groups.append({"group": label, "voters": []})
            groups[-1]["voters"].append({"name": name, "gender": GENDER_ZH.get(gender, "")})
        ctx.update(groups=groups, total=len(rows))
    elif kind == "proxy_list":
        holder = Voter.__table__.alias("holder")
        v = Voter.__table__
        rows = s.execute(select(v.c.name, v.c.group_name, holder.c.name, holder.c.group_name)
                         .join(holder, holder.c.id == v.c.proxy_holder_id)
                         .where(v.c.election_id == election.id, v.c.status == "registered")
                         .order_by(holder.c.name, v.c.name)).all()
        ctx["proxies"] = [{"voter": a, "voter_group": ag or "", "holder": b, "holder_group": bg or ""}
                          for a, ag, b, bg in rows]
    elif kind in ("candidate_list", "candidate_slate"):
        cands = s.scalars(select(Candidate).where(
            Candidate.election_id == election.id, Candidate.withdrawn.is_(False), Candidate.disqualified.is_(False),
            Candidate.voided.is_(False)).order_by(Candidate.id)).all()
        posts = []
        for post in ("director", "deputy_director", "member"):
            names = [c.name for c in cands if c.post == post]
            if names:
                posts.append({"label": POST_ZH[post], "candidates": names})
        ctx.update(posts=posts, candidates=[c.name for c in cands])
    elif kind == "result":
        ctx.update(_result(s, election))
    return ctx


def _result(s: Session, election: Election) -> dict[str, Any]:
    rounds = s.scalars(select(Round).where(Round.election_id == election.id, Round.superseded.is_(False))
                       .order_by(Round.id)).all()
    last = rounds[-1] if rounds else None
    votes: dict[int, int] = {}
    for r in rounds:
        for cid, n in (r.votes or {}).items():
            if int(cid) in {int(x) for x in (r.elected or [])}:
                votes[int(cid)] = int(n)
    elected = s.scalars(select(Candidate).where(Candidate.election_id == election.id, Candidate.elected.is_(True),
                                                Candidate.voided.is_(False)).order_by(Candidate.id)).all()
    order = {"director": 0, "deputy_director": 1, "member": 2}
    elected = sorted(elected, key=lambda c: (order.get(c.post, 3), c.id))
    seats = {k: int(v) for k, v in (election.seats or {}).items()}
    filled: dict[str, int] = {}
    for c in elected:
        filled[c.post] = filled.get(c.post, 0) + 1
    vacant = [{"post": POST_ZH.get(p, "委员"), "count": n - filled.get(p, 0)} for p, n in seats.items()
              if n > filled.get(p, 0)]
    stamp = last.recorded_at if last and last.recorded_at else now()
    voted_on = stamp.date() if isinstance(stamp, dt.datetime) else today()
    mode = s.scalar(select(Fact.value).where(Fact.election_id == election.id, Fact.key == "election_mode"))
    return {"elected": [{"name": c.name, "gender": GENDER_ZH.get(c.gender, ""),
                         "post": POST_ZH.get(c.post, "委员") if election.body == "residents" else "委员",
                         "votes": votes.get(c.id, "")} for c in elected],
            "vacant": vacant, "voted_on_zh": render.chinese_date(election.election_day or voted_on),
            "expected": last.expected if last else None, "present": last.present if last else None,
            "ballots_issued": last.ballots_issued if last else 0,
            "ballots_returned": last.ballots_returned if last else 0,
            "ballots_invalid": last.ballots_invalid if last else 0,
            "unit": "户" if mode == "household" else "人"}


def list_announcements(s: Session, actor: Actor, election_id: Any) -> list[dict[str, Any]]:
    """Return an election's announcements in number order."""
    election = get_election(s, actor, election_id)
    rows = s.scalars(select(Announcement).where(Announcement.election_id == election.id)
                     .order_by(Announcement.number)).all()
    return [announcement_dict(a) for a in rows]


def document(s: Session, actor: Actor, announcement_id: Any, fmt: str) -> tuple[Announcement, bytes]:
    """Return an announcement's stored document (html or pdf) inside the actor's scope, or raise NotFound."""
    if isinstance(announcement_id, bool) or not str(announcement_id).isdigit():
        raise NotFound()
    row = s.get(Announcement, int(announcement_id))
    if row is None:
        raise NotFound()
    get_election(s, actor, row.election_id)
    return row, (row.html.encode("utf-8") if fmt == "html" else row.pdf)


