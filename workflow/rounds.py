"""Voting rounds: input checks and the engine's evaluation (domain.md §4.4), in integers only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import FieldProblems, InvalidRequest
from .labels import POSTS as POST_LABELS
from .ruleset import Threshold

COUNT_FIELDS = ("expected", "present", "ballots_issued", "ballots_returned", "ballots_invalid")
ROUND_KINDS = ("first", "another", "revote")


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
class RoundResult:
    """The engine's verdict on a round."""

    valid: bool
    problems: tuple[str, ...]
    elected: tuple[int, ...]
    unfilled: dict[str, int] = field(default_factory=dict)


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
    return counts


def parse_votes(raw: Any, counts: RoundCounts, standing: Mapping[int, str],
                open_seats: Mapping[str, int]) -> dict[int, int]:
    """Check votes per candidate against who stands and the valid ballots; return {candidate id: votes}."""
    if not isinstance(raw, Mapping):
        raise InvalidRequest.one("votes", "must be an object {candidate id: votes}", "必须是“候选人编号: 票数”的对象")
    problems = FieldProblems()
    votes: dict[int, int] = {}
    for key, value in raw.items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            problems.add(f"votes.{key}", "is not a candidate id", "不是候选人编号")
            continue
        if cid not in standing:
            problems.add(f"votes.{key}", "is not a candidate standing in this round",
                         "不是本轮参选的候选人")
        elif not _is_count(value):
            problems.add(f"votes.{key}", "must be a non-negative integer", "必须是非负整数")
        elif value > counts.valid_ballots:
            problems.add(f"votes.{key}", "exceeds the valid ballots", "超过有效票数")
        else:
            votes[cid] = value
    if not problems:
        per_post: dict[str, int] = {}
        for cid, n in votes.items():
            per_post[standing[cid]] = per_post.get(standing[cid], 0) + n
        for post, total in per_post.items():
            if total > counts.valid_ballots * open_seats.get(post, 0):
                zh_post, en_post = POST_LABELS.get(post, (post, post))
                problems.add("votes", f"votes for {en_post.lower()} exceed valid ballots × seats",
                             f"{zh_post}的总票数超过有效票数乘以应选名额")
    if problems:
        raise InvalidRequest(problems)
    return votes


def evaluate_round(counts: RoundCounts, votes: Mapping[int, int], standing: Mapping[int, str],
                   open_seats: Mapping[str, int], quorum: Threshold, win: Threshold) -> RoundResult:
    """Evaluate a round: quorum, ballot consistency, winners per post, a tie at the last seat left open."""
    problems: list[str] = []
    if not quorum.met(counts.base(quorum.base), counts.expected):
        problems.append("quorum_not_met")
    if counts.ballots_returned > counts.ballots_issued:
        problems.append("ballots_inconsistent")
    if problems:
        return RoundResult(False, tuple(problems), (), {p: n for p, n in open_seats.items() if n})
    elected: list[int] = []
    unfilled: dict[str, int] = {}
    threshold_base = counts.base(win.base)
    for post, seats in open_seats.items():
        if seats <= 0:
            continue
        qualified = sorted(
            ((votes.get(cid, 0), cid) for cid, p in standing.items() if p == post
             and win.met(votes.get(cid, 0), threshold_base)),
            key=lambda item: (-item[0], item[1]),
        )
        winners = qualified[:seats]
        if len(qualified) > seats and winners and qualified[seats][0] == winners[-1][0]:
            # a tie at the last seat: nobody tied there is elected (domain.md §4.4)
            tied = winners[-1][0]
            winners = [w for w in winners if w[0] != tied]
        elected.extend(cid for _, cid in winners)
        if seats - len(winners):
            unfilled[post] = seats - len(winners)
    return RoundResult(True, (), tuple(elected), unfilled)
