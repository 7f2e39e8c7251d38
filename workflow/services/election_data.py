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
from ..errors import FieldProblems
from ..rounds import (ROUND_KINDS, RoundCounts, WriteIn, evaluate_round, parse_counts, parse_vote_shape, parse_votes,
                      parse_write_ins, sum_stations, top_vote_getters)
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
            "full_time_deputy": c.full_time_deputy,
            "status": candidate_status(c), "write_in": bool(c.write_in)}


def candidate_status(c: Any) -> str:
    """standing | elected | withdrawn | disqualified | voided (api.md rev. 2)."""
    if c.voided:
        return "voided"
    if c.disqualified:
        return "disqualified"
    if c.withdrawn:
        return "withdrawn"
    return "elected" if c.elected else "standing"


#: the facts that approve or publish the list (domain.md §4.2 rev. 2), and the fields whose change is a new list
LIST_FACTS = {"party": ("candidate_list_reported", "candidate_list_approved"),
              "residents": ("candidate_list_published_on",)}
LIST_FIELDS = ("name", "post", "full_member", "qualified", "on_election_committee", "withdrawn", "disqualified")


def clear_list_approvals(s: Session, actor: Actor, election: Election, why: str,
                         candidate: Optional[int] = None) -> list[str]:
    """A changed list loses its approval: clear the list's facts (the history keeps them, with why)."""
    if election.state not in CANDIDATE_STATES:
        return []  # the list was voted on: a change in voting (a disqualification) is not a new list
    rows = list(s.scalars(select(Fact).where(Fact.election_id == election.id,
                                             Fact.key.in_(LIST_FACTS[election.body]))))
    rows = [f for f in rows if f.value not in (None, False, "")]
    if not rows:
        return []
    audit(s, actor, "facts_cleared", election=election,
          data={"facts": {f.key: f.value for f in rows}, "reason": why, "candidate": candidate})
    for f in rows:
        s.delete(f)
    s.flush()
    return sorted(f.key for f in rows)


def add_candidate(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any) -> Candidate:
    """Add a candidate; only in nomination or candidate_meeting."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    fields = _candidate_fields(election.body, raw, creating=True)
    require(may_edit_election(actor))
    rules = get_rule_set(election.campaign.rule_set)
    _refuse_qualified(rules, raw)
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
    if rules.joint_review is not None:
        cand.review_status = "pending"  # every department has yet to review the newcomer (§12)
    s.add(cand)
    s.flush()
    audit(s, actor, "candidate_added", election=election, data=candidate_dict(cand))
    clear_list_approvals(s, actor, election, "candidate added", cand.id)
    return cand


def _refuse_qualified(rules: Any, raw: Any) -> None:
    """Under a joint review `qualified` is computed from it and cannot be set by hand (400, domain.md §12)."""
    if rules.joint_review is not None and "qualified" in raw:
        raise InvalidRequest.one("qualified", "is computed from the joint review under this rule set",
                                 "本规则下资格由资格联审结果确定，不能手工设置")


def _refuse_same_number(s: Session, election_id: int, hashed: Optional[str], own_id: Optional[int]) -> None:
    """One person stands once in an election: a number already on another of its candidates is a 409."""
    if not hashed:
        return
    other = s.scalar(select(Candidate.id).where(Candidate.election_id == election_id, Candidate.id_hash == hashed,
                                                Candidate.id != (own_id or -1)))
    if other is not None:
        raise Duplicate("a candidate of this election already has this id number", "本次选举已有候选人使用该身份证号")


def candidate_for_update(s: Session, actor: Actor, candidate_id: Any) -> tuple[Candidate, Election]:
    """Return a candidate and its election, locked for a change; 404 when missing or outside the actor's scope."""
    try:
        cand = s.get(Candidate, int(candidate_id))
    except (TypeError, ValueError):
        cand = None
    if cand is None:
        raise NotFound()
    return cand, get_election(s, actor, cand.election_id, for_update=True)


def update_candidate(uow: UnitOfWork, actor: Actor, candidate_id: Any, raw: Any) -> Candidate:
    """Change a candidate's fields (or withdraw them); only in nomination or candidate_meeting."""
    s = uow.session
    cand, election = candidate_for_update(s, actor, candidate_id)
    fields = _candidate_fields(election.body, raw, creating=False)
    require(may_edit_election(actor))
    _refuse_qualified(get_rule_set(election.campaign.rule_set), raw)
    if election.state not in CANDIDATE_STATES:
        raise InvalidState("candidates change only in nomination and candidate meeting",
                           "候选人只能在提名推荐和候选人见面阶段变更")
    if fields.get("id_hash"):
        _refuse_same_number(s, election.id, fields["id_hash"], cand.id)
    before = {k: getattr(cand, k) for k in fields}
    for k, v in fields.items():
        setattr(cand, k, v)
    changes = {("id_number" if k == "id_masked" else k): [before[k], v]
               for k, v in fields.items() if before[k] != v and k != "id_hash"}
    # the history shows the masked form only; the hash links records and is no reading for people
    audit(s, actor, "candidate_updated", election=election, data={"candidate": cand.id, "changes": changes})
    s.flush()
    changed = [k for k in LIST_FIELDS if k in changes]
    if changed:
        clear_list_approvals(s, actor, election, "candidate changed: " + ", ".join(changed), cand.id)
    return cand


ROUND_FIELDS = frozenset({"kind", "expected", "present", "ballots_issued", "ballots_returned", "ballots_invalid",
                          "votes", "write_ins", "stations"})
#: with stations, the top level carries only these (domain.md §4.4: counts per polling place)
STATION_TOP = frozenset({"kind", "expected", "present", "stations"})


def _rules_for_round(election: Election, facts: dict[str, Any], basis: str) -> tuple[Any, Any]:
    """The quorum and the win threshold of a round's basis (a tie-break has no threshold: the most votes win)."""
    rules = get_rule_set(election.campaign.rule_set)
    if election.body == "party":
        win = rules.party.win_first if basis == "first" else rules.party.win_another
        return rules.party.quorum, None if basis == "tie_break" else win
    mode = facts.get("election_mode")
    if mode not in ("direct", "household", "representative"):
        raise GuardsFailed([G.GUARDS["election_mode_set"].unmet()])
    rr = rules.residents_rules(election.village_law)
    win = rr.win_first if basis == "first" else rr.win_another
    return rr.quorum[mode], None if basis == "tie_break" else win


def _write_ins_allowed(election: Election) -> bool:
    rules = get_rule_set(election.campaign.rule_set)
    return rules.party.write_ins if election.body == "party" else rules.residents_rules(election.village_law).write_ins


def _round_shape(s: Session, election: Election, raw: Any
                 ) -> tuple[str, RoundCounts, dict[int, int], list[WriteIn], Optional[list[Any]]]:
    """Check the body's shape (400 before anything else): kind, counts, votes, write-ins, or the polling places."""
    if not isinstance(raw, dict):
        raise InvalidRequest.one("body", "must be a JSON object", "必须是 JSON 对象")
    unknown = set(raw) - ROUND_FIELDS
    if unknown:
        raise InvalidRequest({k: ("unknown field", "未知字段") for k in sorted(unknown)})
    kind = require_choice(raw.get("kind"), "kind", ROUND_KINDS)
    stations = None
    if raw.get("stations") is not None:
        both = set(raw) - STATION_TOP
        if both:
            raise InvalidRequest({k: ("is given per polling place when stations are given",
                                      "已按投票站录入时，不能再填写汇总数") for k in sorted(both)})
        summed = sum_stations(raw["stations"], POSTS[election.body])
        stations = list(raw["stations"])
        top = _with_expected(s, election, {"expected": raw.get("expected"), "present": raw.get("present")})
        counts = parse_counts({**summed, **top})
        return kind, counts, summed["votes"], summed["write_ins"], stations
    counts = parse_counts(_with_expected(s, election, raw))
    votes = parse_vote_shape(raw.get("votes", {}))
    write_ins = parse_write_ins(raw.get("write_ins"), POSTS[election.body])
    return kind, counts, votes, write_ins, stations


def awaited_round(election: Election, rounds: list[Round]) -> Optional[str]:
    """The round kind the election waits for: first before any round, then what the last trigger allowed."""
    if not rounds and election.round_permit in (None, "another"):
        return "first"
    return election.round_permit


def _who_stands(ctx: G.GuardContext, election: Election, kind: str, rounds: list[Round],
                ) -> tuple[dict[int, str], dict[str, int], str, Optional[Round]]:
    """Who stands, for which seats, and on which basis, in a round of this kind (domain.md §4.4)."""
    not_elected = {c.id: c.post for c in ctx.standing if not c.elected}
    if kind == "revote":
        replaced = rounds[-1]
        eligible = set(replaced.eligible or ())
        standing = {cid: p for cid, p in not_elected.items() if not eligible or cid in eligible}
        return standing, {k: int(v) for k, v in replaced.open_seats.items()}, replaced.basis, replaced
    if kind == "first":
        return not_elected, dict(ctx.seats), "first", None
    if kind == "tie_break":
        last = rounds[-1]
        tied = {int(cid) for ids in (last.tied or {}).values() for cid in ids}
        open_seats = {post: int(last.unfilled.get(post, 0)) for post in (last.tied or {})}
        return {cid: p for cid, p in not_elected.items() if cid in tied}, open_seats, "tie_break", None
    open_seats = ctx.open_seats()
    if kind == "by_election":
        return not_elected, open_seats, "first", None
    # another round: the party's every not-elected candidate; the residents' top vote-getters of the deciding
    # round, the latest valid first-basis round (first or by-election; a revote counts as the round it replaces)
    if election.body == "residents":
        deciding = next((r for r in reversed(rounds) if r.valid and r.basis == "first"), None)
        votes = {int(k): int(v) for k, v in ((deciding.votes or {}) if deciding else {}).items()}
        rules = get_rule_set(election.campaign.rule_set).residents_rules(election.village_law)
        top = top_vote_getters(not_elected, votes, open_seats, rules.another_round_extra)
        return {cid: p for cid, p in not_elected.items() if cid in top}, open_seats, "another", None
    return not_elected, open_seats, "another", None


def _check_write_ins(s: Session, election: Election, kind: str, write_ins: list[WriteIn]) -> None:
    """A write-in may not be a standing candidate's name for the same post, nor a voided/disqualified person."""
    if not write_ins:
        return
    if not _write_ins_allowed(election):
        raise InvalidRequest.one("write_ins", "write-in votes are not allowed by this election's rule set",
                                 "本次选举的规则集不允许另选他人")
    if kind == "tie_break":
        raise InvalidRequest.one("write_ins", "only the tied candidates stand in a tie-break",
                                 "重新投票只在票数相等的被选举人中进行，不能另选他人")
    people = list(s.scalars(select(Candidate).where(Candidate.election_id == election.id)))
    problems = FieldProblems()
    for i, w in enumerate(write_ins):
        for c in people:
            if c.name != w.name:
                continue
            if c.voided or c.disqualified:
                problems.add(f"write_ins.{i}.name", "this person was voided or disqualified in this election",
                             "该人员在本次选举中已被取消资格或当选无效")
            elif c.post == w.post and not c.withdrawn:
                problems.add(f"write_ins.{i}.name", "is a candidate of this post: enter the votes under the candidate",
                             "是该职位的候选人：请计入该候选人的得票")
    if problems:
        raise InvalidRequest(problems)


def record_round(uow: UnitOfWork, actor: Actor, election_id: Any, raw: Any, preview: bool = False) -> Round:
    """Record a voting round and the engine's evaluation (domain.md §4.4); the client's verdict is never trusted.

    Checks run body shape (400) → the kind awaited (409) → who stands and the counts against it (400). With
    preview, the round is evaluated exactly as it would be recorded, and nothing is written.
    """
    s = uow.session
    election = get_election(s, actor, election_id, for_update=not preview)
    kind, counts, raw_votes, write_ins, stations = _round_shape(s, election, raw)
    require(may_edit_election(actor))
    if election.state != "voting":
        raise InvalidState("rounds are recorded only in voting", "只能在投票选举阶段录入投票结果")
    rounds = list(s.scalars(select(Round).where(Round.election_id == election.id,
                                                Round.superseded.is_(False)).order_by(Round.id)))
    awaited = awaited_round(election, rounds)
    if kind != awaited:
        en = awaited or "none: fire another_round or revote first"
        zh = ROUND_LABELS_ZH.get(awaited or "", "无（请先执行“另行选举”或“重新选举”）")
        raise InvalidState(f"this election is waiting for a round of kind: {en}", f"本次选举当前应录入的轮次为：{zh}")
    ctx = snapshot(s, election, with_other=False)
    standing, open_seats, basis, replaced = _who_stands(ctx, election, kind, rounds)
    _check_write_ins(s, election, kind, write_ins)
    votes = parse_votes(raw_votes, counts, standing, open_seats, write_ins)
    quorum, win = _rules_for_round(election, ctx.facts, basis)
    # write-ins stand with provisional negative ids; those who win or tie at the last seat get a record below
    pseudo = {-(i + 1): w for i, w in enumerate(write_ins)}
    result = evaluate_round(counts, {**votes, **{pid: w.votes for pid, w in pseudo.items()}},
                            {**standing, **{pid: w.post for pid, w in pseudo.items()}}, open_seats, quorum, win)
    ids: dict[int, int] = {}
    needs_record = set(result.elected) | {cid for group in result.tied.values() for cid in group}
    for pid, w in pseudo.items():
        if pid in needs_record:
            if preview:
                ids[pid] = pid
                continue
            cand = Candidate(election_id=election.id, name=w.name, post=w.post, write_in=True)
            s.add(cand)
            s.flush()
            ids[pid] = cand.id
            # a write-in comes from the ballot: the list's approvals stand (domain.md §4.4)
            audit(s, actor, "candidate_added", election=election, data={**candidate_dict(cand), "write_in": True})
    elected = [ids.get(cid, cid) for cid in result.elected]
    tied = {post: sorted(ids.get(cid, cid) for cid in group) for post, group in result.tied.items()}
    number = (s.scalar(select(func.count()).select_from(Round).where(Round.election_id == election.id)) or 0) + 1
    row = Round(election_id=election.id, number=number, kind=kind, basis=basis,
                expected=counts.expected, present=counts.present, ballots_issued=counts.ballots_issued,
                ballots_returned=counts.ballots_returned, ballots_invalid=counts.ballots_invalid,
                votes={str(k): v for k, v in votes.items()}, open_seats=open_seats, valid=result.valid,
                problems=list(result.problems), elected=elected, unfilled=result.unfilled, tied=tied,
                write_ins=[{"name": w.name, "post": w.post, "votes": w.votes, "candidate": ids.get(pid)}
                           for pid, w in pseudo.items()],
                stations=stations, eligible=sorted(standing) + sorted(v for v in ids.values() if v > 0),
                recorded_by=actor.user_id, recorded_at=now())
    if preview:
        return row
    s.add(row)
    if replaced is not None:
        replaced.superseded = True
    s.flush()
    for cand in s.scalars(select(Candidate).where(Candidate.id.in_(elected))):
        cand.elected, cand.elected_round_id = True, row.id
    election.round_permit = None
    election.updated_at = now()
    audit(s, actor, "round_recorded", election=election, data=round_dict(row))
    s.flush()
    return row


def next_round(uow: UnitOfWork, actor: Actor, election_id: Any) -> Optional[dict[str, Any]]:
    """The round the election waits for: its kind, open seats and who stands (None outside voting or no round due).

    The same computation record_round checks against, so the round form offers exactly who may be voted for.
    """
    s = uow.session
    election = get_election(s, actor, election_id)
    if election.state != "voting":
        return None
    rounds = list(s.scalars(select(Round).where(Round.election_id == election.id,
                                                Round.superseded.is_(False)).order_by(Round.id)))
    kind = awaited_round(election, rounds)
    if kind is None:
        return None
    ctx = snapshot(s, election, with_other=False)
    standing, open_seats, basis, _replaced = _who_stands(ctx, election, kind, rounds)
    return {"kind": kind, "basis": basis, "open_seats": open_seats, "standing": sorted(standing),
            "write_ins": _write_ins_allowed(election) and kind != "tie_break"}


ROUND_LABELS_ZH = {"first": "第一轮投票", "another": "另行选举", "revote": "重新选举", "tie_break": "票数相等者重新投票",
                   "by_election": "补选"}


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
            "tied": {p: list(ids) for p, ids in (r.tied or {}).items()},
            "write_ins": list(r.write_ins or []), "stations": r.stations,
            "open_seats": r.open_seats, "superseded": bool(r.superseded),
            "recorded_at": r.recorded_at.isoformat() if r.recorded_at else None}


def vacant_seats(uow: UnitOfWork, actor: Actor, election_id: Any) -> dict[str, int]:
    """Return an election's seats left vacant (暂缺): open seats once the result stands with the vacancy rule.

    Empty while the election is still voting (open seats are then not vacant yet, just unfilled) and when every
    seat is filled. For the report (domain.md §7 rev. 2) and the election page.
    """
    s = uow.session
    election = get_election(s, actor, election_id)
    return vacant_seats_of(s, election)


def vacant_seats_of(s: Session, election: Election, ctx: Optional[G.GuardContext] = None) -> dict[str, int]:
    """The vacant seats of an election already loaded (no scope check: the caller has done it)."""
    state = election.suspended_from if election.state == "suspended" else election.state
    if state in ("preparation", "nomination", "candidate_meeting", "voting"):
        return {}  # open seats are not vacant before the result stands
    ctx = ctx or snapshot(s, election, with_other=False, codes=("seats_filled",))
    return {post: n for post, n in ctx.open_seats().items() if n > 0}


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
