"""Chinese and English names of states, triggers, bodies, roles and modes (domain.md §8)."""
from __future__ import annotations

STATES: dict[str, tuple[str, str]] = {
    "preparation": ("准备阶段", "Preparation"),
    "nomination": ("提名推荐", "Nomination"),
    "candidate_meeting": ("候选人见面", "Candidate meeting"),
    "voting": ("投票选举", "Voting"),
    "certification": ("当选确认", "Certification"),
    "handover": ("新老交接", "Handover"),
    "summary": ("总结验收", "Summary"),
    "closed": ("已完成", "Closed"),
    "suspended": ("暂停（应急处置）", "Suspended"),
}
TRIGGERS: dict[str, tuple[str, str]] = {
    "open_nomination": ("启动提名", "Open nomination"),
    "open_candidate_meeting": ("确定候选人，组织见面", "Confirm candidates, hold meeting"),
    "open_voting": ("召开选举大会", "Open the election meeting"),
    "announce_result": ("当场宣布选举结果", "Announce the result"),
    "another_round": ("另行选举", "Another round"),
    "revote": ("重新选举", "Revote"),
    "certify": ("确认当选、颁发证书", "Certify and issue certificates"),
    "complete_handover": ("完成交接", "Complete handover"),
    "accept_summary": ("检查验收", "Inspect and accept"),
    "suspend": ("暂停", "Suspend"),
    "resume": ("恢复", "Resume"),
    "void_result": ("当选无效", "Void the result"),
    "apply_village_law": ("适用村委会组织法", "Apply the village committee law"),
}
#: a trigger named differently for one body: a Party election confirms its result and issues no certificates
TRIGGERS_BY_BODY: dict[tuple[str, str], tuple[str, str]] = {
    ("party", "certify"): ("确认当选", "Confirm the result"),
}
BODIES: dict[str, tuple[str, str]] = {
    "party": ("社区党组织换届选举", "Community Party organization election"),
    "residents": ("社区居委会换届选举", "Residents' committee election"),
}
ROLES: dict[str, tuple[str, str]] = {
    "cadre": ("街道干部", "Street cadre"),
    "supervisor": ("督导", "Supervisor"),
    "inspector": ("纪检监察", "Inspector"),
    "observer": ("列席监督", "Observer"),
    "admin": ("系统管理员", "Administrator"),
    "reviewer": ("资格联审", "Joint reviewer"),
}
REVIEW_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("待审查", "Pending"),
    "passed": ("已通过", "Passed"),
    "failed": ("未通过", "Failed"),
}
MODES: dict[str, tuple[str, str]] = {
    "direct": ("直接选举", "Direct election"),
    "household": ("户代表选举", "Household representatives"),
    "representative": ("居民代表选举", "Resident representatives"),
}
LEVELS: dict[int, tuple[str, str]] = {
    1: ("街道包社区干部", "Street cadre for the community"),
    2: ("县级包街道领导", "County leader for the street"),
    3: ("市级包县领导", "City leader for the county"),
}
REGION_LEVELS: dict[str, tuple[str, str]] = {
    "province": ("省", "Province"),
    "city": ("市", "City"),
    "county": ("县（市、区）", "County / district"),
    "street": ("街道（乡、镇）", "Street"),
}
POSTS: dict[str, tuple[str, str]] = {
    "member": ("委员", "Member"),
    "director": ("主任", "Director"),
    "deputy_director": ("副主任", "Deputy director"),
}
COMPLAINT_CATEGORIES: dict[str, tuple[str, str]] = {
    "bribery": ("贿选", "Bribery"),
    "improper_competition": ("不正当竞争", "Improper competition"),
    "interference": ("干扰破坏选举", "Interference"),
    "procedure": ("程序问题", "Procedure"),
    "other": ("其他", "Other"),
}
OUTCOMES: dict[str, tuple[str, str]] = {
    "unfounded": ("查无实据", "Unfounded"),
    "disqualify_candidate": ("取消参选资格", "Candidate disqualified"),
    "void_election": ("当选无效", "Election void"),
}


def label(table: dict, key: object, lang: str = "zh") -> str:
    """Return the label of key in the given language, or the key itself."""
    pair = table.get(key)
    if not pair:
        return str(key)
    return pair[1] if lang.startswith("en") else pair[0]


def trigger_label(body: str, trigger: str, lang: str = "zh") -> str:
    """The name of a trigger in a body's election (TRIGGERS_BY_BODY first)."""
    pair = TRIGGERS_BY_BODY.get((body, trigger))
    if pair:
        return pair[1] if lang.startswith("en") else pair[0]
    return label(TRIGGERS, trigger, lang)
