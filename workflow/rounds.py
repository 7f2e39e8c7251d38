"""Voting rounds: input checks and the engine's evaluation (domain.md §4.4), in integers only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from .errors import FieldProblems, InvalidRequest
from .labels import POSTS as POST_LABELS
from .ruleset import Threshold

COUNT_FIELDS = ("expected", "present", "ballots_issued", "ballots_returned", "ballots_invalid")
#: the counts a polling place (station) carries; expected and present stay at the top of the round
STATION_COUNTS = ("ballots_issued", "ballots_returned", "ballots_invalid")
ROUND_KINDS = ("first", "another", "revote", "tie_break", "by_election")
#: whose thresholds a round uses: first-round ones, another-round ones, or the most votes among the tied
BASES = {"first": "first", "by_election": "first", "another": "another", "tie_break": "tie_break"}


@dataclass(frozen=True)
class RoundCounts:
    """The raw counts of one round."""

    expected: int
    present: int
    ballots_issued: int
    ballots_returned: int
    ballots_invalid: int

    def base(self, name: str) -> int:
        """Return the count a threshold is measured against ('present' or 'returned')."""
        return self.present if name == "present" else self.ballots_returned

    @property
    def valid_ballots(self) -> int:
        return max(self.ballots_returned - self.ballots_invalid, 0)


@dataclass(frozen=True)
class WriteIn:
    """A person written in on the ballots (另选他人): not on the candidate list."""

    name: str
    post: str
    votes: int


@dataclass(frozen=True)
class RoundResult:
    """The engine's verdict on a round."""

    valid: bool
    problems: tuple[str, ...]
    elected: tuple[int, ...]
    unfilled: dict[str, int] = field(default_factory=dict)
    #: post -> the candidates tied at the last seat (who go to a tie-break among themselves)
    tied: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_counts(raw: Mapping[str, Any]) -> RoundCounts:
    """Check the five counts are non-negative integers and consistent; raise InvalidRequest otherwise."""
    problems = FieldProblems()
    for name in COUNT_FIELDS:
        if name not in raw:
            problems.add(name, "is required", "必填")
        elif not _is_count(raw[name]):
            problems.add(name, "must be a non-negative integer", "必须是非负整数")
    if problems:
        raise InvalidRequest(problems)
    counts = RoundCounts(**{name: raw[name] for name in COUNT_FIELDS})
    if counts.ballots_invalid > counts.ballots_returned:
        raise InvalidRequest.one("ballots_invalid", "cannot exceed ballots_returned", "无效票数不能超过收回票数")
    if counts.present > counts.expected:
        # a typo, not an event: more voters present than expected cannot happen (domain.md §4.4)
        raise InvalidRequest.one("present", "cannot exceed expected", "参加投票人数不能超过应到人数")
    return counts


def parse_vote_shape(raw: Any, name: str = "votes") -> dict[int, int]:
    """Check the shape of a votes object {candidate id: non-negative integer}; return it with integer keys."""
    if not isinstance(raw, Mapping):
        raise InvalidRequest.one(name, "must be an object {candidate id: votes}", "必须是“候选人编号: 票数”的对象")
    problems = FieldProblems()
    votes: dict[int, int] = {}
    for key, value in raw.items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            problems.add(f"{name}.{key}", "is not a candidate id", "不是候选人编号")
            continue
        if not _is_count(value):
            problems.add(f"{name}.{key}", "must be a non-negative integer", "必须是非负整数")
        else:
            votes[cid] = value
    if problems:
        raise InvalidRequest(problems)
    return votes


def parse_write_ins(raw: Any, posts: Sequence[str], name: str = "write_ins") -> list[WriteIn]:
    """Check the shape of write-ins [{name, post, votes}]; one entry per person and post."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidRequest.one(name, "must be a list of {name, post, votes}", "必须是“姓名、职位、票数”的列表")
    problems = FieldProblems()
    out: list[WriteIn] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        where = f"{name}.{i}"
        if not isinstance(item, Mapping) or set(item) - {"name", "post", "votes"}:
            problems.add(where, "must be an object {name, post, votes}", "必须是“姓名、职位、票数”的对象")
            continue
        person = item.get("name")
        if not isinstance(person, str) or not person.strip() or len(person.strip()) > 100:
            problems.add(f"{where}.name", "must be a name of 1 to 100 characters", "姓名须为1至100个字符")
            continue
        if item.get("post") not in posts:
            problems.add(f"{where}.post", f"must be one of {', '.join(posts)}", f"必须是以下之一：{'、'.join(posts)}")
            continue
        if not _is_count(item.get("votes")):
            problems.add(f"{where}.votes", "must be a non-negative integer", "必须是非负整数")
            continue
        key = (person.strip(), str(item["post"]))
        if key in seen:
            problems.add(f"{where}.name", "is written in twice for this post", "同一职位重复填写了该另选人")
            continue
        seen.add(key)
        out.append(WriteIn(key[0], key[1], int(item["votes"])))
    if problems:
        raise InvalidRequest(problems)
    return out


def sum_stations(raw: Any, posts: Sequence[str]) -> dict[str, Any]:
    """Check each polling place's counts and sum them into one round's counts, votes and write-ins."""
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest.one("stations", "must be a non-empty list of polling places", "须为非空的投票站列表")
    problems = FieldProblems()
    total: dict[str, Any] = {name: 0 for name in STATION_COUNTS}
    votes: dict[int, int] = {}
    write_ins: dict[tuple[str, str], int] = {}
    names: set[str] = set()
    allowed = {"name", *STATION_COUNTS, "votes", "write_ins"}
    for i, station in enumerate(raw):
        where = f"stations.{i}"
        if not isinstance(station, Mapping) or set(station) - allowed:
            problems.add(where, f"must be an object with {', '.join(sorted(allowed))}", "投票站格式有误")
            continue
        name = station.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100 or name.strip() in names:
            problems.add(f"{where}.name", "needs a name of 1 to 100 characters, once per round",
                         "投票站须有名称（1至100个字符），且不能重复")
            continue
        names.add(name.strip())
        try:
            for count in STATION_COUNTS:
                if not _is_count(station.get(count)):
                    raise InvalidRequest.one(f"{where}.{count}", "must be a non-negative integer", "必须是非负整数")
            if station["ballots_invalid"] > station["ballots_returned"]:
                raise InvalidRequest.one(f"{where}.ballots_invalid", "cannot exceed ballots_returned",
                                         "无效票数不能超过收回票数")
            station_votes = parse_vote_shape(station.get("votes", {}), f"{where}.votes")
            station_write_ins = parse_write_ins(station.get("write_ins"), posts, f"{where}.write_ins")
        except InvalidRequest as exc:
            for key, value in exc.problems.items():
                problems.add(key, *value)
            continue
        for count in STATION_COUNTS:
            total[count] += station[count]
        for cid, n in station_votes.items():
            votes[cid] = votes.get(cid, 0) + n
        for w in station_write_ins:
            write_ins[(w.name, w.post)] = write_ins.get((w.name, w.post), 0) + w.votes
    if problems:
        raise InvalidRequest(problems)
    total["votes"] = votes
    total["write_ins"] = [WriteIn(name, post, n) for (name, post), n in write_ins.items()]
    return total


def parse_votes(raw: Any, counts: RoundCounts, standing: Mapping[int, str],
                open_seats: Mapping[str, int], write_ins: Sequence[WriteIn] = ()) -> dict[int, int]:
    """Check votes per candidate against who stands and the valid ballots; return {candidate id: votes}."""
    shaped = parse_vote_shape(raw)
    problems = FieldProblems()
    votes: dict[int, int] = {}
    for cid, value in shaped.items():
        if cid not in standing:
            problems.add(f"votes.{cid}", "is not a candidate standing in this round", "不是本轮参选的候选人")
        elif value > counts.valid_ballots:
            problems.add(f"votes.{cid}", "exceeds the valid ballots", "超过有效票数")
        else:
            votes[cid] = value
    for i, w in enumerate(write_ins):
        if not open_seats.get(w.post, 0):
            problems.add(f"write_ins.{i}.post", "has no seat open in this round", "本轮该职位没有应选名额")
        elif w.votes > counts.valid_ballots:
            problems.add(f"write_ins.{i}.votes", "exceeds the valid ballots", "超过有效票数")
    if not problems:
        per_post: dict[str, int] = {}
        for cid, n in votes.items():
            per_post[standing[cid]] = per_post.get(standing[cid], 0) + n
        for w in write_ins:
            per_post[w.post] = per_post.get(w.post, 0) + w.votes
        for post, total in per_post.items():
            if total > counts.valid_ballots * open_seats.get(post, 0):
                zh_post, en_post = POST_LABELS.get(post, (post, post))
                problems.add("votes", f"votes for {en_post.lower()} exceed valid ballots × seats",
                             f"{zh_post}的总票数超过有效票数乘以应选名额")
    if problems:
        raise InvalidRequest(problems)
    return votes


def ballot_problems(counts: RoundCounts, quorum: Threshold) -> list[str]:
    """Return why a round is void: quorum not met, more ballots returned than issued or than voters present."""
    problems: list[str] = []
    if not quorum.met(counts.base(quorum.base), counts.expected):
        problems.append("quorum_not_met")
    if counts.ballots_returned > counts.ballots_issued or counts.ballots_returned > counts.present:
        problems.append("ballots_inconsistent")  # 收回的选票多于投票人数的，选举无效
    return problems


def evaluate_round(counts: RoundCounts, votes: Mapping[int, int], standing: Mapping[int, str],
                   open_seats: Mapping[str, int], quorum: Threshold, win: Optional[Threshold]) -> RoundResult:
    """Evaluate a round: quorum, ballot consistency, winners per post, a tie at the last seat left open.

    win None is a tie-break: no share threshold, the most votes (at least one) win among those standing.
    """
    problems = ballot_problems(counts, quorum)
    if problems:
        return RoundResult(False, tuple(problems), (), {p: n for p, n in open_seats.items() if n})
    elected: list[int] = []
    unfilled: dict[str, int] = {}
    tied: dict[str, tuple[int, ...]] = {}
    threshold_base = counts.base(win.base) if win is not None else 0
    for post, seats in open_seats.items():
        if seats <= 0:
            continue
        qualified = sorted(
            ((votes.get(cid, 0), cid) for cid, p in standing.items() if p == post
             and (win.met(votes.get(cid, 0), threshold_base) if win is not None else votes.get(cid, 0) > 0)),
            key=lambda item: (-item[0], item[1]),
        )
        winners = qualified[:seats]
        if len(qualified) > seats and winners and qualified[seats][0] == winners[-1][0]:
            # a tie at the last seat: nobody tied there is elected; the tied vote again among themselves
            # (PR1990 Art. 21; domain.md §4.4)
            at = winners[-1][0]
            tied[post] = tuple(sorted(cid for n, cid in qualified if n == at))
            winners = [w for w in winners if w[0] != at]
        elected.extend(cid for _, cid in winners)
        if seats - len(winners):
            unfilled[post] = seats - len(winners)
    return RoundResult(True, (), tuple(elected), unfilled, tied)


def top_vote_getters(standing: Mapping[int, str], votes: Mapping[int, int], open_seats: Mapping[str, int],
                     extra: int) -> set[int]:
    """Residents' another round: per post, the open seats + extra not-elected with the most votes, more if tied.

    VCL Art. 15: 第一次投票未当选的人员得票多的为候选人. `votes` are those of the deciding round.
    """
    out: set[int] = set()
    for post, seats in open_seats.items():
        if seats <= 0:
            continue
        ranked = sorted(((votes.get(cid, 0), cid) for cid, p in standing.items() if p == post),
                        key=lambda item: (-item[0], item[1]))
        cut = seats + extra
        if len(ranked) > cut:
            at = ranked[cut - 1][0]
            ranked = [r for r in ranked[:cut]] + [r for r in ranked[cut:] if r[0] == at]
        out.update(cid for _, cid in ranked)
    return out
