"""Guards: pure functions over a snapshot of an election, each with its code, messages and source."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .errors import Unmet
from .facts import FACTS, fact_date
from .ruleset import RuleSet

REACHED_CERTIFICATION = ("certification", "handover", "summary", "closed")


@dataclass(frozen=True)
class CandidateView:
    """What the guards need to know about one candidate."""

    id: int
    name: str
    post: str
    full_member: bool = False
    party_member: bool = False
    qualified: bool = False
    on_election_committee: bool = False
    presented: bool = False
    withdrawn: bool = False
    disqualified: bool = False
    voided: bool = False
    elected: bool = False
    party_post: Optional[str] = None
    full_time_deputy: bool = False
    id_hash: Optional[str] = None
    gender: Optional[str] = None
    certified: bool = False
    write_in: bool = False
    #: the joint review's status (pending | passed | failed), None where the rule set has no review (§12)
    review: Optional[str] = None

    @property
    def standing(self) -> bool:
        """Withdrawn, disqualified or voided candidates do not count."""
        return not (self.withdrawn or self.disqualified or self.voided)


@dataclass(frozen=True)
class RoundView:
    """A recorded round that still counts (a revote replaces the invalid round)."""

    id: int
    kind: str
    valid: bool
    problems: tuple[str, ...] = ()
    #: whose thresholds it used: first | another | tie_break (a revote keeps the basis of the round it replaces)
    basis: str = ""
    #: post -> candidates tied at the last seat
    tied: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class GuardContext:
    """A read-only snapshot of one election and what around it the guards read."""

    body: str
    state: str
    rules: RuleSet
    facts: dict[str, Any] = field(default_factory=dict)
    seats: dict[str, int] = field(default_factory=dict)
    candidates: tuple[CandidateView, ...] = ()
    rounds: tuple[RoundView, ...] = ()
    key_difficult: bool = False
    village_converted: bool = False
    collective_reform_done: bool = False
    village_law: bool = False
    party_org_type: str = "branch"
    party_members: int = 0
    order: str = "party_first"
    other_state: Optional[str] = None
    blocking_complaints: frozenset[int] = frozenset()
    round_permit: Optional[str] = None  # "another" | "revote": fired, its round not yet recorded

    @property
    def standing(self) -> list[CandidateView]:
        return [c for c in self.candidates if c.standing]

    @property
    def elected(self) -> list[CandidateView]:
        return [c for c in self.candidates if c.elected and not c.voided]

    def open_seats(self) -> dict[str, int]:
        """Seats per post not yet held by an elected, non-voided candidate."""
        held: dict[str, int] = {}
        for c in self.elected:
            held[c.post] = held.get(c.post, 0) + 1
        return {post: max(n - held.get(post, 0), 0) for post, n in self.seats.items()}

    @property
    def last_round(self) -> Optional[RoundView]:
        return self.rounds[-1] if self.rounds else None

    def seat_type(self) -> str:
        """The party seat range's key: a branch too small for a committee elects a secretary (and a deputy)."""
        return self.rules.party.seat_type(self.party_org_type, self.party_members)

    def min_elected(self) -> int:
        """The fewest elected members with which the remaining seats may be left vacant (rule set)."""
        if self.body == "party":
            return self.rules.party.min_elected[self.seat_type()]
        return self.rules.residents_rules(self.village_law).min_elected

    def vacancy_holds(self) -> bool:
        """Seats may stay vacant: approved, after a valid another/tie-break round, enough elected, a director."""
        last = self.last_round
        if self.facts.get("vacancy_approved") is not True or last is None or not last.valid:
            return False
        if last.basis not in ("another", "tie_break"):
            return False
        if len(self.elected) < self.min_elected():
            return False
        return self.body == "party" or any(c.post == "director" for c in self.elected)


GuardFn = Callable[[GuardContext], Optional[bool]]


@dataclass(frozen=True)
class Guard:
    """One registry entry: code, pure check (None = does not apply here), the unmet text (zh, en: what a refusal
    says after "条件未满足：/still missing:"), the condition text (zh, en: what a ✓ says), the legal source
    (codes of workflow.citations), what it reads (fact keys and records) and where the UI lets one act on it."""

    code: str
    check: GuardFn
    zh: str
    en: str
    source: str
    met_zh: str = ""
    met_en: str = ""
    reads: tuple[str, ...] = ()
    anchor: Optional[str] = None

    def unmet(self) -> Unmet:
        return Unmet(self.code, self.zh, self.en, self.source)

    def text(self, ok: Optional[bool], lang: str = "zh") -> str:
        """The condition text when it holds (or in a list of conditions), else the unmet text."""
        en = lang.startswith("en")
        if ok is False:
            return self.en if en else self.zh
        return self.condition(lang)

    def condition(self, lang: str = "zh") -> str:
        """What must hold, worded as a condition (never the unmet text: a ✓ beside it must read true)."""
        return (self.met_en if lang.startswith("en") else self.met_zh) or self.code


GUARDS: dict[str, Guard] = {}

#: what a guard reads besides its facts: where on the election page one acts on it (section ids)
RECORDS = ("seats", "candidates", "rounds", "certificates", "complaints", "other-election", "community")


def guard(code: str, zh: str, en: str, source: str, *, met: tuple[str, str] = ("", ""),
          reads: tuple[str, ...] = (), anchor: Optional[str] = None) -> Callable[[GuardFn], GuardFn]:
    """Register a guard under its stable code: unmet texts zh/en, source, and met=(condition zh, condition en),
    reads=(fact keys or RECORDS), anchor=section id of the election page. tests/unit/test_guard_registry.py
    fails until every field is filled in."""
    def wrap(fn: GuardFn) -> GuardFn:
        GUARDS[code] = Guard(code, fn, zh, en, source, met[0], met[1], tuple(reads), anchor)
        return fn
    return wrap


def _fact_guard(key: str, zh: str, en: str, source: str) -> None:
    """A guard that holds once its fact is recorded: its condition and unmet texts are the same sentence
    (a refusal reads "still missing: <condition>")."""
    def check(ctx: GuardContext) -> bool:
        value = ctx.facts.get(key)
        return value is True if FACTS[key].type == "bool" else value not in (None, "")
    check.__doc__ = f"Hold when fact {key} is recorded ({source})."
    GUARDS[key] = Guard(key, check, zh, en, source, zh, en, (key,), None)


for _key, _zh, _en, _src in (
    ("leadership_group_formed", "街道换届选举工作机构已成立", "The street's election work body is set up", "N1(1)"),
    ("work_plan_approved", "已在征求党员、居民意愿基础上制定工作方案", "A work plan made after consulting members and residents", "N1(2)"),
    ("staff_trained", "换届选举工作人员已培训", "Election staff are trained", "N1(3)"),
    ("publicity_done", "已开展宣传教育", "Publicity has been carried out", "N1(4)"),
    ("funding_secured", "选举工作经费已纳入财政预算", "Election funds are in the budget", "N1(5)"),
    ("org_setup_confirmed", "社区党组织设置已调整确认", "The Party organization's type is confirmed", "N2(1)"),
    ("member_mass_recommendation_done", "党员和群众推荐已完成", "Members and residents have recommended", "N2(1)"),
    ("superior_recommendation_done", "上级党组织推荐已完成", "The superior Party organization has recommended", "N2(1)"),
    ("candidate_list_reported", "上届社区党组织已上报候选人预备人选名单", "The previous committee reported the preliminary list", "N2(1)"),
    ("candidate_list_approved", "街道党工委已批准候选人预备人选", "The street Party working committee approved the list", "N2(1)"),
    ("election_committee_formed", "居民选举委员会已成立", "The residents' election committee is formed", "N2(2)2"),
    ("qualification_rules_set", "候选人资格条件已作出规定", "Candidate qualification conditions are set", "N2(2)3"),
    ("voter_objections_resolved", "对选民名单的异议已处理", "Objections to the voter list are resolved", "VCL Art. 14"),
    ("candidates_introduced", "已向党员介绍候选人情况", "Candidates' profiles are introduced to members", "PR1990 Art. 12"),
    ("candidate_meeting_held", "已组织候选人与居民见面", "The candidate meeting is held", "N2(2)3"),
    ("polling_arrangements_ready", "秘密写票处、投票站和选举大会已安排", "Secret booth, polling stations and assembly are ready", "N2(2)4"),
    ("public_count_done", "已公开唱票、计票", "Votes were read and counted in public", "N2(2)4"),
    ("result_announced", "已当场宣布选举结果", "The result was announced on the spot", "N2(2)4"),
    ("secretary_approved", "书记、副书记已报上级党组织批准", "The superior organization approved the secretary and deputies", "党章; PR1990 Art. 24"),
    ("result_filed", "选举结果已报街道备案", "The result is filed with the street", "N2(2)4"),
    ("handover_done", "新老班子已交接公章、档案、资产和账目", "Seals, files, assets and accounts are handed over", "N3(5)"),
    ("new_cadres_trained", "新任社区干部已培训", "New cadres are trained", "N3(5)"),
    ("term_plan_made", "已制定任期工作规划", "A plan for the term is made", "N3(5)"),
    ("annual_plan_made", "已制定年度工作计划", "An annual work plan is made", "N3(5)"),
    ("disclosure_system_set", "党务、居务公开和民主管理制度已健全", "Disclosure and democratic management are set up", "N3(5)"),
    ("unsuccessful_candidates_talked", "已做好落选人的思想工作", "Unsuccessful candidates have been talked with", "N3(5)"),
    ("summary_written", "换届选举工作总结已完成", "The summary is written", "N3 final para."),
    ("inspection_accepted", "市级已检查验收", "The city has inspected and accepted", "N3 final para."),
):
    _fact_guard(_key, _zh, _en, _src)


@guard("contingency_plan_filed", "重点难点社区已制定具体工作预案", "A contingency plan is filed for this key/difficult community", "N1(2)",
       met=("重点难点社区已制定具体工作预案", "A contingency plan is filed for this key/difficult community"),
       reads=("contingency_plan_filed", "community"))
def contingency_plan_filed(ctx: GuardContext) -> Optional[bool]:
    """Only key/difficult communities need a contingency plan (N1(2))."""
    if not ctx.key_difficult:
        return None
    return ctx.facts.get("contingency_plan_filed") is True


@guard("seats_in_range", "委员职数在规定范围内", "The number of seats is within the allowed range", "N2(1); 支部工作条例 Art. 9; RCL Art. 7; VCL Art. 6",
       met=("委员职数在规定范围内", "The number of seats is within the allowed range"),
       reads=("seats", "seats_exception_approved", "community"), anchor="seats")
def seats_in_range(ctx: GuardContext) -> bool:
    """Seats within the rule set's range for the organization type or committee (N2(1), RCL Art. 7)."""
    if ctx.body == "party":
        n = ctx.seats.get("member", 0)
        low, high = ctx.rules.party.seat_range(ctx.seat_type())
        return n > 0 and (low <= n <= high or ctx.facts.get("seats_exception_approved") is True)
    low, high = ctx.rules.residents_rules(ctx.village_law).seats_total
    total = sum(ctx.seats.values())
    return ctx.seats.get("director") == 1 and low <= total <= high


@guard("election_mode_set", "已确定选举方式（直接选举、户代表或居民代表选举）", "The election mode is set", "RCL Art. 8; VCL Art. 11",
       met=("已确定选举方式（直接选举、户代表或居民代表选举）", "The election mode is set"),
       reads=("election_mode",))
def election_mode_set(ctx: GuardContext) -> bool:
    """The residents' election mode is one of direct, household, representative (RCL Art. 8); villagers elect
    directly (VCL Art. 11), so under the village law only direct holds."""
    if ctx.village_law:
        return ctx.facts.get("election_mode") == "direct"
    return ctx.facts.get("election_mode") in ("direct", "household", "representative")


@guard("election_day_set", "已确定选举日", "The election day is set", "RCL Art. 8",
       met=("已确定选举日", "The election day is set"),
       reads=("election_day",))
def election_day_set(ctx: GuardContext) -> bool:
    """The election day is recorded (RCL Art. 8)."""
    return fact_date(ctx.facts.get("election_day")) is not None


@guard("legal_basis_correct", "撤村建居且集体经济改制未完成的社区须适用村委会组织法", "An unreformed converted village must elect under the village committee law", "N2(2)1",
       met=("撤村建居且集体经济改制未完成的社区须适用村委会组织法", "An unreformed converted village must elect under the village committee law"),
       reads=("community",), anchor="actions")
def legal_basis_correct(ctx: GuardContext) -> bool:
    """Fail while an unreformed converted village still elects under the RCL (N2(2)1)."""
    return not (ctx.village_converted and not ctx.collective_reform_done and not ctx.village_law)


@guard("village_law_applicable", "仅撤村建居且集体经济改制未完成的社区可适用村委会组织法", "Only an unreformed converted village may switch to the village committee law", "N2(2)1",
       met=("本社区撤村建居且集体经济改制未完成，可适用村委会组织法", "This is an unreformed converted village: the village committee law may apply"),
       reads=("community",), anchor="actions")
def village_law_applicable(ctx: GuardContext) -> bool:
    """The village law applies to unreformed converted villages not yet switched (N2(2)1)."""
    return ctx.village_converted and not ctx.collective_reform_done and not ctx.village_law


def _days_before(ctx: GuardContext, key: str, days: int) -> bool:
    published, day = fact_date(ctx.facts.get(key)), fact_date(ctx.facts.get("election_day"))
    return published is not None and day is not None and (day - published).days >= days


@guard("voter_list_timely", "选民名单须在选举日前规定天数公布", "The voter list must be published the required days before the election day", "VCL Art. 14",
       met=("选民名单已在选举日前规定天数公布", "The voter list was published the required days before the election day"),
       reads=("voter_list_published_on", "election_day"))
def voter_list_timely(ctx: GuardContext) -> bool:
    """The voter list is published at least the rule set's days before election day (VCL Art. 14)."""
    return _days_before(ctx, "voter_list_published_on", ctx.rules.residents_rules(ctx.village_law).voter_list_days)


@guard("candidate_list_timely", "正式候选人名单须在选举日前规定天数公布", "The candidate list must be published the required days before the election day", "VCL Art. 15",
       met=("正式候选人名单已在选举日前规定天数公布", "The candidate list was published the required days before the election day"),
       reads=("candidate_list_published_on", "election_day"))
def candidate_list_timely(ctx: GuardContext) -> bool:
    """The candidate list is published at least the rule set's days before election day."""
    return _days_before(ctx, "candidate_list_published_on",
                        ctx.rules.residents_rules(ctx.village_law).candidate_list_days)


@guard("candidates_eligible", "候选人须为正式党员（预备党员不能当候选人）", "Every candidate must be a full Party member", "PR1990 Art. 5",
       met=("每名候选人均为正式党员", "Every candidate is a full Party member"),
       reads=("candidates",), anchor="candidates")
def candidates_eligible(ctx: GuardContext) -> bool:
    """Every standing candidate is a full Party member (PR1990 Art. 5)."""
    return all(c.full_member for c in ctx.standing)


@guard("candidate_surplus", "候选人数须多于应选人数（差额选举）", "There must be more candidates than seats", "PR1990 Art. 12; RCL Art. 8",
       met=("候选人数须多于应选人数（差额选举）", "There must be more candidates than seats"),
       reads=("candidates", "seats"), anchor="candidates")
def candidate_surplus(ctx: GuardContext) -> bool:
    """Party: seats + ceil(seats × 20%) candidates; residents: more candidates than seats per post."""
    counts: dict[str, int] = {}
    for c in ctx.standing:
        counts[c.post] = counts.get(c.post, 0) + 1
    if ctx.body == "party":
        seats = ctx.seats.get("member", 0)
        return seats > 0 and counts.get("member", 0) >= ctx.rules.party.min_candidates(seats)
    posts = [(post, n) for post, n in ctx.seats.items() if n > 0]
    return bool(posts) and all(counts.get(post, 0) > n for post, n in posts)


@guard("candidates_qualified", "每名候选人均须符合资格条件", "Every candidate must meet the qualification conditions", "N2(2)3",
       met=("每名候选人均符合资格条件", "Every candidate meets the qualification conditions"),
       reads=("candidates",), anchor="candidates")
def candidates_qualified(ctx: GuardContext) -> bool:
    """Every standing candidate meets the locality's qualification conditions (N2(2)3)."""
    return all(c.qualified for c in ctx.standing)


@guard("candidates_reviewed", "每名候选人均须通过资格联审", "Every candidate must pass the joint qualification review",
       "乡村治理意见",
       met=("每名候选人均已通过资格联审", "Every candidate has passed the joint qualification review"),
       reads=("candidates",), anchor="candidates")
def candidates_reviewed(ctx: GuardContext) -> Optional[bool]:
    """Every standing candidate passed every department of the joint review; None without a review (§12)."""
    if ctx.rules.joint_review is None:
        return None
    return all(c.review == "passed" for c in ctx.standing)


@guard("election_committee_independent", "候选人不得担任居民选举委员会成员", "No candidate may sit on the residents' election committee", "VCL Art. 12",
       met=("候选人均未担任居民选举委员会成员", "No candidate sits on the residents' election committee"),
       reads=("candidates",), anchor="candidates")
def election_committee_independent(ctx: GuardContext) -> bool:
    """No standing candidate sits on the residents' election committee."""
    return not any(c.on_election_committee for c in ctx.standing)


@guard("candidates_presented", "每名候选人均已介绍履职设想并回答居民提问", "Every candidate presented plans and answered questions", "N2(2)3",
       met=("每名候选人均已介绍履职设想并回答居民提问", "Every candidate presented plans and answered questions"),
       reads=("candidates",), anchor="candidates")
def candidates_presented(ctx: GuardContext) -> bool:
    """Every standing candidate presented at the candidate meeting (N2(2)3)."""
    return all(c.presented for c in ctx.standing)


def _reached_certification(state: Optional[str]) -> bool:
    return state in REACHED_CERTIFICATION


@guard("party_election_certified", "先党内后党外：社区党组织选举须先进入当选确认阶段", "Party first: the party election must reach certification first", "N2(3)",
       met=("先党内后党外：社区党组织选举已进入当选确认阶段", "Party first: the party election has reached certification"),
       reads=("other-election",), anchor="other-election")
def party_election_certified(ctx: GuardContext) -> Optional[bool]:
    """Under party_first, residents' voting waits for the party election's certification (N2(3))."""
    if ctx.body != "residents" or ctx.order != "party_first":
        return None
    return _reached_certification(ctx.other_state)


@guard("residents_election_certified", "先居委会后党组织：居委会选举须先进入当选确认阶段", "Residents first: the residents' election must reach certification first", "N2(3)",
       met=("先居委会后党组织：居委会选举已进入当选确认阶段", "Residents first: the residents' election has reached certification"),
       reads=("other-election",), anchor="other-election")
def residents_election_certified(ctx: GuardContext) -> Optional[bool]:
    """Under residents_first, the party's voting waits for the residents' certification (N2(3))."""
    if ctx.body != "party" or ctx.order != "residents_first":
        return None
    return _reached_certification(ctx.other_state)


@guard("round_recorded", "已录入至少一轮投票结果", "At least one round is recorded", "N2(2)4",
       met=("已录入至少一轮投票结果", "At least one round is recorded"),
       reads=("rounds",), anchor="rounds")
def round_recorded(ctx: GuardContext) -> bool:
    """At least one round is recorded."""
    return ctx.last_round is not None


@guard("round_valid", "最后一轮投票有效（达到法定人数且票数相符）", "The last round met quorum and its ballots are consistent", "PR1990 Art. 18; PR1990 Art. 19; VCL Art. 15",
       met=("最后一轮投票有效（达到法定人数且票数相符）", "The last round met quorum and its ballots are consistent"),
       reads=("rounds",), anchor="rounds")
def round_valid(ctx: GuardContext) -> bool:
    """The last round is valid."""
    return ctx.last_round is not None and ctx.last_round.valid


@guard("round_invalid", "只有最后一轮投票无效时才能重新选举", "A revote needs an invalid last round", "VCL Art. 15",
       met=("最后一轮投票无效，可以重新选举", "The last round is invalid: a revote is possible"),
       reads=("rounds",), anchor="rounds")
def round_invalid(ctx: GuardContext) -> bool:
    """The last round is invalid and no revote is waiting for its round (a revote replaces it once)."""
    return ctx.last_round is not None and not ctx.last_round.valid and ctx.round_permit is None


@guard("seats_filled", "应选名额均已选出，或经批准暂缺", "Every seat has a winner, or the vacancy is approved",
       "PR1990 Art. 21; PR1990 Art. 22; VCL Art. 15",
       met=("应选名额均已选出，或经批准暂缺", "Every seat has a winner, or the vacancy is approved"),
       reads=("rounds", "seats", "vacancy_approved"), anchor="rounds")
def seats_filled(ctx: GuardContext) -> bool:
    """Every seat has an elected, non-voided winner, or the street approved leaving the rest vacant (暂缺)."""
    if not ctx.seats:
        return False
    if sum(ctx.open_seats().values()) == 0:
        return True
    return ctx.vacancy_holds()


@guard("seats_unfilled", "仍有名额未选出，才能另行选举", "Another round needs unfilled seats", "PR1990 Art. 22; VCL Art. 15",
       met=("仍有名额未选出，可以另行选举", "Seats are still open: another round is possible"),
       reads=("rounds", "seats"), anchor="rounds")
def seats_unfilled(ctx: GuardContext) -> bool:
    """Some seats are still open."""
    return sum(ctx.open_seats().values()) > 0


@guard("secretary_elected", "新一届委员会第一次全体会议已选举书记、副书记（须在职务中确定书记）", "The first plenary elected the secretary and deputies (name the secretary in the posts)", "PR1990 Art. 15; 党章",
       met=("新一届委员会第一次全体会议已选举书记、副书记", "The first plenary elected the secretary and deputies"),
       reads=("candidates",), anchor="posts")
def secretary_elected(ctx: GuardContext) -> bool:
    """The posts name a secretary who is an elected, not voided member of this election (§4.5, §9)."""
    return any(c.party_post == "secretary" for c in ctx.elected)


@guard("certificates_issued", "每名当选人均已颁发当选证书", "Every elected member holds a certificate", "N2(2)4",
       met=("每名当选人均已颁发当选证书", "Every elected member holds a certificate"),
       reads=("certificates",), anchor="certificates")
def certificates_issued(ctx: GuardContext) -> bool:
    """Every elected, non-voided member holds a certificate serial (N2(2)4)."""
    return bool(ctx.elected) and all(c.certified for c in ctx.elected)


@guard("no_open_complaints", "有涉及当选人的贿选或不正当竞争举报尚未处理", "An open bribery or improper-competition complaint names an elected person", "N3(4)",
       met=("没有涉及当选人、尚未处理的贿选或不正当竞争举报", "No open bribery or improper-competition complaint names an elected person"),
       reads=("complaints",), anchor="complaints")
def no_open_complaints(ctx: GuardContext) -> bool:
    """No open bribery / improper-competition complaint names an elected person (N3(4))."""
    return not any(c.id in ctx.blocking_complaints for c in ctx.elected)


@guard("candidate_elected", "该人员未当选", "This person is not elected", "N2(2)4",
       met=("该人员已当选", "This person is elected"),
       reads=("candidates",), anchor="certificates")
def candidate_elected(ctx: GuardContext) -> bool:
    """Used when issuing a certificate to someone not elected."""
    return bool(ctx.elected)


def evaluate(codes: tuple[str, ...] | list[str], ctx: GuardContext) -> list[tuple[Guard, Optional[bool]]]:
    """Evaluate guard codes in order; return (guard, True/False/None-if-not-applicable)."""
    return [(GUARDS[code], GUARDS[code].check(ctx)) for code in codes]


def unmet(codes: tuple[str, ...] | list[str], ctx: GuardContext) -> list[Unmet]:
    """Return every failing guard among codes (all of them, not just the first)."""
    return [g.unmet() for g, ok in evaluate(codes, ctx) if ok is False]


def advisories(ctx: GuardContext, other: Optional[GuardContext]) -> list[Unmet]:
    """Advisory checks, shown never blocking: N2(1) once both elections are certified; women for residents.

    People are matched by identity (the keyed hash of their id number, domain.md §9), never by name: a director
    without a number cannot be matched, and the advisory says so.
    """
    out: list[Unmet] = []
    if ctx.body == "residents" and _reached_certification(ctx.state):
        out += _woman_member(ctx)
    if other is None or not (_reached_certification(ctx.state) and _reached_certification(other.state)):
        return out
    party = ctx if ctx.body == "party" else other
    residents = other if ctx.body == "party" else ctx
    if not any(c.full_time_deputy and c.party_post == "deputy_secretary" for c in party.elected):
        out.append(Unmet("full_time_deputy_secretary", "社区党组织应配备1名专职副书记，职务中尚未确定",
                         "One full-time deputy secretary should be appointed; the posts name none", "N2(1)"))
    holders = {c.id_hash for c in party.elected if c.id_hash and c.party_post in ("secretary", "deputy_secretary")}
    for c in residents.elected:
        if c.post != "director" or not c.party_member:
            continue
        if c.id_hash is None:
            out.append(Unmet("director_should_be_deputy_secretary",
                             f"居委会主任{c.name}是党员，未登记身份证号，无法核对其是否担任书记或副书记",
                             f"Director {c.name} is a Party member without an id number: whether they hold a "
                             "secretary's post cannot be checked", "N2(1)"))
        elif c.id_hash not in holders:
            out.append(Unmet("director_should_be_deputy_secretary",
                             f"居委会主任{c.name}是党员，未担任书记的应担任副书记",
                             f"Director {c.name} is a Party member and, if not secretary, should be deputy secretary",
                             "N2(1)"))
    return out


def _woman_member(ctx: GuardContext) -> list[Unmet]:
    """The elected residents' committee should include a woman (VCL Art. 6; the rule set's switch)."""
    if not ctx.rules.advise_woman_member or not ctx.elected or any(c.gender == "f" for c in ctx.elected):
        return []
    return [Unmet("woman_member", "居委会成员中应有妇女成员", "The residents' committee should include a woman",
                  "VCL Art. 6")]
