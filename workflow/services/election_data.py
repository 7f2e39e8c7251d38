"""Recording what happens in an election: facts, seats, candidates, rounds and certificates."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import guards as G
from ..auth import Actor, may_edit_election, may_record_fact, require
from ..clock import now
from ..db import UnitOfWork
from ..errors import Duplicate, GuardsFailed, InvalidRequest, InvalidState, NotFound
from ..clock import today
from ..facts import fact_date, parse_fact_value
from ..models import Candidate, Certificate, Election, Fact, Round
from ..rounds import ROUND_KINDS, evaluate_round, parse_counts, parse_votes
from ..ruleset import get_rule_set
from .common import audit, get_election, require_bool, require_choice, require_int, require_text
from .people import parse_id_number
from .elections import due_for, shanghai_date, snapshot
from .voters import expected_voters

POSTS = {"party": ("member",), "residents": ("director", "deputy_director", "member")}
CANDIDATE_STATES = ("nomination", "candidate_meeting")
BACKGROUNDS = ("community_worker", "dispatched_cadre", "police", "mass_org", "retired_cadre", "notable",
               "non_public_org", "social_org", "grid_leader", "other")
BOOL_FIELDS = ("party_member", "full_member", "qualified", "on_election_committee", "presented",
               "graduate_recruit", "incumbent")


def record_fact(uow: UnitOfWork, actor: Actor, election_id: Any, key: Any, value: Any,
                note: Any = None) -> Fact:
    """Record, change or retract (null) a fact; refused once the election is closed."""
    return record_facts(uow, actor, election_id, {key: value}, note)[0]


def record_facts(uow: UnitOfWork, actor: Actor, election_id: Any, values: dict[Any, Any],
                 note: Any = None) -> list[Fact]:
    """Record several facts at once (one form, one check of scope and role); each gets its own history row."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    if not isinstance(values, dict) or not values:
        raise InvalidRequest.one("facts", "name at least one fact", "至少填写一项")
    stored = {str(k): parse_fact_value(election.body, str(k), v) for k, v in values.items()}
    note_text = require_text(note, "note", 2000, required=False)
    rules = get_rule_set(election.campaign.rule_set)
    computed = sorted(k for k in stored if k in ROLL_COMPUTED_FACTS) if rules.voter_roll else []
    if computed and election.body == "residents":
        raise InvalidRequest({k: ("is computed from the voter roll and cannot be recorded by hand",
                                  "由选民名单自动计算，不能手工填写") for k in computed})
    require(all(may_record_fact(actor, k) for k in stored))
    if election.state == "closed":
        raise InvalidState("facts cannot change once the election is closed", "选举已完成，不能再修改")
    existing = {f.key: f for f in s.scalars(select(Fact).where(Fact.election_id == election.id,
                                                               Fact.key.in_(list(stored))))}
    out = []
    stamp = now()
    for key, value in stored.items():
        fact = existing.get(key)
        previous = fact.value if fact else None
        if fact is None:
            fact = Fact(election_id=election.id, key=key)
            s.add(fact)
        fact.value, fact.note, fact.recorded_by, fact.recorded_at = value, note_text, actor.user_id, stamp
        audit(s, actor, "fact_recorded", election=election, note=note_text,
              data={"key": key, "value": value, "previous": previous})
        out.append(fact)
    if "election_day" in stored:
        _follow_election_day(election, stored["election_day"])
    s.flush()
    return out


#: facts a rule set with a voter roll computes (domain.md §10): never recorded by hand there
ROLL_COMPUTED_FACTS = ("voter_list_published_on", "voter_objections_resolved")


def _follow_election_day(election: Election, value: Any) -> None:
    """Keep the row's election day in step with the fact, and the current state's due date with it (§6)."""
    election.election_day = fact_date(value)
    if election.state not in ("suspended", "closed"):
        entered = shanghai_date(election.state_entered_at) if election.state_entered_at else today()
        election.due_on = due_for(election, election.state, entered)
    election.updated_at = now()


def parse_seats(body: str, raw: Any) -> dict[str, int]:
    """Check a seats object for the body: party {member}; residents {director: 1, deputy_director, member}."""
    if not isinstance(raw, dict):
        raise InvalidRequest.one("seats", "must be an object", "必须是对象")
    posts = POSTS[body]
    unknown = set(raw) - set(posts)
    if unknown:
        raise InvalidRequest({k: ("is not a post of this election", "不是该选举的职位") for k in unknown})
    seats = {p: require_int(raw.get(p, 0), p, 0, 99) for p in posts}
    if body == "residents" and seats["director"] != 1:
        raise InvalidRequest.one("director", "a residents' committee has exactly 1 director", "居委会设主任1名")
    if body == "party" and seats["member"] < 1:
        raise InvalidRequest.one("member", "must be at least 1", "至少为1")
    return seats


def set_seats(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> Election:
    """Set the seats of an election; only in preparation."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    seats = parse_seats(election.body, raw)
    require(may_edit_election(actor))
    if election.state != "preparation":
        raise InvalidState("seats can be changed only in preparation", "职数只能在准备阶段确定")
    previous = election.seats
    election.seats = seats
    election.updated_at = now()
    audit(s, actor, "seats_set", election=election, data={"seats": seats, "previous": previous})
    s.flush()
    return election


def _candidate_fields(body: str, raw: Any, creating: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    allowed = {"name", "post", "gender", "birth_year", "education", "background", "dispatched_from", "id_number",
               *BOOL_FIELDS, *(() if creating else ("withdrawn",))}
    unknown = set(raw) - allowed
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    out: dict[str, Any] = {}
    if creating or "name" in raw:
        out["name"] = require_text(raw.get("name"), "name", 100)
    if creating or "post" in raw:
        out["post"] = require_choice(raw.get("post"), "post", POSTS[body])
    if raw.get("gender") is not None:
        out["gender"] = require_choice(raw["gender"], "gender", ("f", "m"))
    if raw.get("birth_year") is not None:
        out["birth_year"] = require_int(raw["birth_year"], "birth_year", 1900, 2100)
    if raw.get("education") is not None:
        out["education"] = require_text(raw["education"], "education", 40, required=False)
    if raw.get("background") is not None:
        out["background"] = require_choice(raw["background"], "background", BACKGROUNDS)
    if "dispatched_from" in raw:
        out["dispatched_from"] = require_text(raw["dispatched_from"], "dispatched_from", 200, required=False)
    for name in BOOL_FIELDS + (() if creating else ("withdrawn",)):
        if name in raw:
            out[name] = require_bool(raw[name], name)
    if "id_number" in raw:  # only its keyed hash and masked form go on (domain.md §9)
        out["id_hash"], out["id_masked"] = parse_id_number(raw["id_number"])
    return out


def candidate_dict(c: Candidate, certified: Optional[str] = None) -> dict[str, Any]:
    """Return a candidate as the API shows it."""
    return {"id": c.id, "election": c.election_id, "name": c.name, "post": c.post, "gender": c.gender,
            "birth_year": c.birth_year, "education": c.education, "party_member": c.party_member,
            "full_member": c.full_member, "qualified": c.qualified,
            "on_election_committee": c.on_election_committee, "presented": c.presented,
            "background": c.background, "graduate_recruit": c.graduate_recruit,
            "dispatched_from": c.dispatched_from, "withdrawn": c.withdrawn, "disqualified": c.disqualified,
            "voided": c.voided, "elected": c.elected, "certificate": certified,
            "id_number": c.id_masked, "incumbent": c.incumbent, "party_post": c.party_post,
            "full_time_deputy": c.full_time_deputy}


def add_candidate(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> Candidate:
    """Add a candidate; only in nomination or candidate_meeting."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    fields = _candidate_fields(election.body, raw, creating=True)
    require(may_edit_election(actor))
    if election.state not in CANDIDATE_STATES:
        raise InvalidState("candidates change only in nomination and candidate meeting",
                           "候选人只能在提名推荐和候选人见面阶段变更")
    same_person = Candidate.name == fields["name"]
    if fields.get("id_hash"):  # the same number is the same person, whatever the name (§9)
        same_person = same_person | (Candidate.id_hash == fields["id_hash"])
    barred = s.scalars(select(Candidate.id).where(
        Candidate.election_id == election.id, same_person,
        (Candidate.voided.is_(True)) | (Candidate.disqualified.is_(True)))).first()
    if barred is not None:
        raise InvalidState("this person was disqualified or voided and cannot stand again in this election",
                           "该人员已被取消资格或当选无效，不能在本次选举中再次参选")
    _refuse_same_number(s, election.id, fields.get("id_hash"), None)
    cand = Candidate(election_id=election.id, **fields)
    s.add(cand)
    s.flush()
    audit(s, actor, "candidate_added", election=election, data=candidate_dict(cand))
    return cand


def _refuse_same_number(s: Session, election_id: int, hashed: Optional[str], own_id: Optional[int]) -> None:
    """One person stands once in an election: a number already on another of its candidates is a 409."""
    if not hashed:
        return
    other = s.scalar(select(Candidate.id).where(Candidate.election_id == election_id, Candidate.id_hash == hashed,
                                                Candidate.id != (own_id or -1)))
    if other is not None:
        raise Duplicate("a candidate of this election already has this id number", "本次选举已有候选人使用该身份证号")


def update_candidate(uow: UnitOfWork, actor: Actor, candidate_id: Any, raw: Any) -> Candidate:
    """Change a candidate's fields (or withdraw them); only in nomination or candidate_meeting."""
    s = uow.session
    try:
        cand = s.get(Candidate, int(candidate_id))
    except (TypeError, ValueError):
        cand = None
    if cand is None:
        raise NotFound()
    election = get_election(s, actor, cand.election_id, for_update=True)
    fields = _candidate_fields(election.body, raw, creating=False)
    require(may_edit_election(actor))
    if election.state not in CANDIDATE_STATES:
        raise InvalidState("candidates change only in nomination and candidate meeting",
                           "候选人只能在提名推荐和候选人见面阶段变更")
    if fields.get("id_hash"):
        _refuse_same_number(s, election.id, fields["id_hash"], cand.id)
    before = {k: getattr(cand, k) for k in fields}
    for k, v in fields.items():
        setattr(cand, k, v)
    # the history shows the masked form only; the hash links records and is no reading for people
    audit(s, actor, "candidate_updated", election=election,
          data={"candidate": cand.id, "changes": {("id_number" if k == "id_masked" else k): [before[k], v]
                                                  for k, v in fields.items() if before[k] != v and k != "id_hash"}})
    s.flush()
    return cand


def _rules_for_round(election: Election, facts: dict[str, Any], basis: str) -> tuple[Any, Any]:
    rules = get_rule_set(election.campaign.rule_set)
    if election.body == "party":
        return rules.party.quorum, rules.party.win_first if basis == "first" else rules.party.win_another
    mode = facts.get("election_mode")
    if mode not in ("direct", "household", "representative"):
        raise GuardsFailed([G.GUARDS["election_mode_set"].unmet()])
    rr = rules.residents_rules(election.village_law)
    return rr.quorum[mode], rr.win_first if basis == "first" else rr.win_another


def record_round(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> Round:
    """Record a voting round and the engine's evaluation (domain.md §4.4); the client's verdict is never trusted."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = set(raw) - {"kind", "expected", "present", "ballots_issued", "ballots_returned",
                          "ballots_invalid", "votes"}
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    kind = require_choice(raw.get("kind"), "kind", ROUND_KINDS)
    counts = parse_counts(_with_expected(s, election, raw))
    require(may_edit_election(actor))
    if election.state != "voting":
        raise InvalidState("rounds are recorded only in voting", "只能在投票选举阶段录入投票结果")
    rounds = list(s.scalars(select(Round).where(Round.election_id == election.id,
                                                Round.superseded.is_(False)).order_by(Round.id)))
    if kind == "first" and rounds or kind != "first" and not rounds:
        raise InvalidState("the first round comes first, and only once", "第一轮投票只能有一轮且必须最先录入")
    if kind != "first" and election.round_permit != kind:
        raise InvalidState(f"fire {'another_round' if kind == 'another' else 'revote'} before recording this round",
                           "请先执行“另行选举”或“重新选举”操作")
    if kind == "first" and election.round_permit is not None:
        raise InvalidState("this round must be another round or a revote", "本轮应为另行选举或重新选举")
    ctx = snapshot(s, election, with_other=False)
    replaced = rounds[-1] if kind == "revote" else None
    if replaced is not None:
        open_seats = {k: int(v) for k, v in replaced.open_seats.items()}
        basis = replaced.basis
    else:
        open_seats = ctx.open_seats() if kind == "another" else dict(ctx.seats)
        basis = "first" if kind == "first" else "another"
    standing = {c.id: c.post for c in ctx.standing if not c.elected}
    votes = parse_votes(raw.get("votes", {}), counts, standing, open_seats)
    quorum, win = _rules_for_round(election, ctx.facts, basis)
    result = evaluate_round(counts, votes, standing, open_seats, quorum, win)
    number = (s.scalar(select(func.count()).select_from(Round).where(Round.election_id == election.id)) or 0) + 1
    row = Round(election_id=election.id, number=number, kind=kind, basis=basis,
                expected=counts.expected, present=counts.present, ballots_issued=counts.ballots_issued,
                ballots_returned=counts.ballots_returned, ballots_invalid=counts.ballots_invalid,
                votes={str(k): v for k, v in votes.items()}, open_seats=open_seats, valid=result.valid,
                problems=list(result.problems), elected=list(result.elected), unfilled=result.unfilled,
                recorded_by=actor.user_id, recorded_at=now())
    s.add(row)
    if replaced is not None:
        replaced.superseded = True
    s.flush()
    for cand in s.scalars(select(Candidate).where(Candidate.id.in_(result.elected))):
        cand.elected, cand.elected_round_id = True, row.id
    election.round_permit = None
    election.updated_at = now()
    audit(s, actor, "round_recorded", election=election, data=round_dict(row))
    s.flush()
    return row


def with_computed_expected(s: Session, actor: Actor, election_id: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """Return a round's body with `expected` filled in where the election's voter roll computes it."""
    election = get_election(s, actor, election_id)
    return _with_expected(s, election, raw)


def _with_expected(s: Session, election: Election, raw: dict[str, Any]) -> dict[str, Any]:
    """With a voter roll, `expected` is computed (domain.md §10): omitted, it is filled in; different, a 400."""
    mode = s.scalar(select(Fact.value).where(Fact.election_id == election.id, Fact.key == "election_mode"))
    computed = expected_voters(s, election, mode)
    if computed is None:
        return raw
    given = raw.get("expected")
    if given is None:
        return {**raw, "expected": computed}
    if given != computed or isinstance(given, bool):
        what = "registered voters" if mode == "direct" else "households on the roll"
        raise InvalidRequest.one("expected", f"is computed from the voter roll: {computed} {what}",
                                 f"应到人数由选民名单计算：{computed}{'人' if mode == 'direct' else '户'}")
    return raw


def round_dict(r: Round) -> dict[str, Any]:
    """Return a round with the engine's evaluation, as the API shows it."""
    return {"id": r.id, "number": r.number, "kind": r.kind, "expected": r.expected, "present": r.present,
            "ballots_issued": r.ballots_issued, "ballots_returned": r.ballots_returned,
            "ballots_invalid": r.ballots_invalid, "votes": r.votes, "valid": r.valid,
            "problems": r.problems, "elected": r.elected, "unfilled": r.unfilled,
            "open_seats": r.open_seats, "superseded": r.superseded,
            "recorded_at": r.recorded_at.isoformat() if r.recorded_at else None}


def issue_certificate(uow: UnitOfWork, actor: Actor, election_id: Any, candidate: Any, serial: Any) -> Certificate:
    """Issue a certificate to an elected person; a serial is usable once in the whole system."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    serial_text = require_text(serial, "serial", 64)
    cand_id = require_int(candidate, "candidate", 1, 2**62)
    require(may_edit_election(actor))
    if election.state != "certification":
        raise InvalidState("certificates are issued in certification", "当选证书在当选确认阶段颁发")
    cand = s.get(Candidate, cand_id)
    if cand is None or cand.election_id != election.id or not cand.elected or cand.voided:
        raise GuardsFailed([G.GUARDS["candidate_elected"].unmet()])
    if s.scalar(select(Certificate.id).where(Certificate.serial == serial_text)) is not None:
        raise Duplicate("this certificate serial is already issued", "该证书编号已颁发")
    if s.scalar(select(Certificate.id).where(Certificate.candidate_id == cand.id,
                                              Certificate.revoked_at.is_(None))) is not None:
        raise Duplicate("this person already holds a certificate", "该当选人已领取当选证书")
    cert = Certificate(serial=serial_text, election_id=election.id, candidate_id=cand.id,
                       issued_by=actor.user_id, issued_at=now())
    try:
        with s.begin_nested():
            s.add(cert)
            s.flush()
    except IntegrityError:
        raise Duplicate("this certificate serial is already issued", "该证书编号已颁发") from None
    audit(s, actor, "certificate_issued", election=election,
          data={"candidate": cand.id, "name": cand.name, "serial": serial_text})
    s.flush()
    return cert
