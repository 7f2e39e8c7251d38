"""Set-based SQL that derives what each planned election's state implies: facts, candidates, rounds,
certificates, complaints, dossiers, incidents and the history, for every election at once.

An election whose reached state is at main-path index `rank` holds everything the guards of the earlier
states read; its current state's items are absent, half recorded or all recorded (`progress` 0, 1, 2), so
about a third of the elections are ready to move on. Times are spread between the campaign's launch and the
moment the election entered its current state, so the history reads in order.
"""
from __future__ import annotations

from typing import Any

from workflow.facts import FACTS
from workflow.machines import DEFINITIONS, MAIN_PATH
from workflow.machines.base import LEAVING
from workflow.walk import BACKGROUNDS, EDUCATION, GIVEN, SURNAMES

#: fact keys a guard reads although the guard has another code
EXTRA_FACTS = {("residents", "preparation"): ("election_mode", "election_day"),
               ("residents", "nomination"): ("voter_list_published_on", "candidate_list_published_on")}
DATE_KINDS = {"election_mode": "mode", "election_day": "eday", "voter_list_published_on": "vlist",
              "candidate_list_published_on": "clist", "candidate_meeting_held": "cmheld"}
HAS_ROUND = "(p.rank >= 4 OR (p.rank = 3 AND p.progress >= 1))"


def fact_plan() -> list[tuple[str, str, int, int, str, str]]:
    """Return (body, key, rank of the state whose leaving guards read it, order, value kind, recorder)."""
    rows = []
    for body, definition in DEFINITIONS.items():
        for rank, state in enumerate(MAIN_PATH[:-1]):
            keys = [c for c in definition.guards(LEAVING[state]) if c in FACTS]
            keys += list(EXTRA_FACTS.get((body, state), ()))
            for order, key in enumerate(keys):
                rows.append((body, key, rank, order, DATE_KINDS.get(key, "bool"), FACTS[key].recorder))
    return rows


def t(k: Any) -> str:
    """SQL: when the planned election entered main-path state k (k <= its rank)."""
    return f"(p.launch + (p.entered - p.launch) * (({k})::float8 / greatest(p.rank, 1)))"


def at(k: Any, frac: str) -> str:
    """SQL: a moment inside state k, frac of the way through it (the current state runs until now)."""
    span = f"(CASE WHEN ({k}) < p.rank THEN (p.entered - p.launch) / greatest(p.rank, 1) ELSE now() - {t(k)} END)"
    return f"({t(k)} + {span} * ({frac}))"


def _arr(values: Any) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


FACTS_SQL = f"""
INSERT INTO facts (election_id, key, value, recorded_by, recorded_at)
SELECT p.eid, f.key,
  CASE f.kind WHEN 'bool' THEN 'true'::json WHEN 'mode' THEN to_json(p.mode)
    WHEN 'eday' THEN to_json(p.eday::text) WHEN 'vlist' THEN to_json((p.eday - 20 - p.h % 6)::text)
    WHEN 'clist' THEN to_json((p.eday - 5 - p.h % 4)::text) ELSE to_json((p.eday - 3)::text) END,
  CASE f.recorder WHEN 'supervisor' THEN p.csup WHEN 'supervisor_city' THEN p.tsup ELSE p.cadre END,
  {at('f.krank', '0.3 + f.ord * 0.02')}
FROM plan p JOIN fplan f ON f.body = p.body
WHERE (f.krank < p.rank OR (f.krank = p.rank AND (p.progress = 2 OR (p.progress = 1 AND f.ord % 2 = 0))))
  AND (f.key <> 'contingency_plan_filed' OR p.key)
"""

_N_CAND = ("CASE WHEN po.seats = 0 THEN 0 WHEN p.body = 'party' THEN po.seats + (po.seats + 4) / 5 + p.extra "
           "ELSE po.seats + 1 + CASE WHEN po.pi = 3 THEN p.extra ELSE 0 END END")
_ELECTED = f"(g.k <= po.seats AND {HAS_ROUND})"
CANDIDATES_SQL = f"""
INSERT INTO candidates (election_id, name, post, gender, birth_year, education, party_member, full_member,
  qualified, on_election_committee, presented, background, graduate_recruit, withdrawn, disqualified, voided,
  elected, elected_round_id, created_at)
SELECT p.eid,
  substr('{SURNAMES}', 1 + (p.h + po.pi * 31 + g.k * 7) % {len(SURNAMES)}, 1)
    || substr('{GIVEN}', 1 + (p.h / 7 + g.k * 13 + po.pi) % {len(GIVEN)}, 1)
    || CASE WHEN (p.h + g.k) % 3 = 0 THEN '' ELSE substr('{GIVEN}', 1 + (p.h / 11 + g.k * 17) % {len(GIVEN)}, 1) END,
  po.post, CASE WHEN (p.h + g.k) % 2 = 0 THEN 'f' ELSE 'm' END, 1960 + (p.h / 3 + g.k * 11) % 33,
  ({_arr(EDUCATION)})[1 + (p.h + g.k * 5) % {len(EDUCATION)}],
  p.body = 'party' OR (p.h + g.k * 3) % 5 < 3, p.body = 'party' OR (p.h + g.k * 3) % 5 < 3, true, false,
  p.body = 'residents' AND (p.rank >= 3 OR (p.rank = 2 AND (p.progress = 2 OR (p.progress = 1 AND g.k % 2 = 0)))),
  ({_arr(BACKGROUNDS)})[1 + (p.h + g.k * 7) % {len(BACKGROUNDS)}], (p.h + g.k * 19) % 7 = 0, false, false, false,
  {_ELECTED}, CASE WHEN {_ELECTED} THEN p.eid END,
  {at(1, '0.05 + (po.pi * 12 + g.k) * 0.004')}
FROM plan p
CROSS JOIN LATERAL (VALUES (1, 'director', p.s_director), (2, 'deputy_director', p.s_deputy),
                           (3, 'member', p.s_member)) AS po(pi, post, seats)
CROSS JOIN LATERAL generate_series(1, {_N_CAND}) AS g(k)
WHERE (p.rank >= 2 OR (p.rank = 1 AND p.progress >= 1)) AND (p.rank >= 2 OR p.progress = 2 OR g.k % 2 = 1)
ORDER BY p.eid, po.pi, g.k
"""

ROUNDS_SQL = f"""
INSERT INTO rounds (id, election_id, number, kind, basis, expected, present, ballots_issued, ballots_returned,
  ballots_invalid, votes, open_seats, valid, problems, elected, unfilled, superseded, recorded_by, recorded_at)
SELECT p.eid, p.eid, 1, 'first', 'first', x.expected, x.present, x.present, x.present, x.invalid,
  v.votes, e.seats, true, '[]'::json, coalesce(v.elected, '[]'::json), '{{}}'::json, false, p.cadre, {at(3, '0.2')}
FROM plan p JOIN elections e ON e.id = p.eid
CROSS JOIN LATERAL (
  SELECT y.expected, y.present, p.h % greatest(y.present / 50, 1) AS invalid FROM (
    SELECT z.expected, CASE WHEN p.body = 'party' THEN z.expected * 9 / 10 ELSE z.expected * 3 / 4 END AS present
    FROM (SELECT CASE WHEN p.body = 'party' THEN greatest(p.members, 30)
                 ELSE greatest(p.voters / CASE WHEN p.mode = 'direct' THEN 1 ELSE 5 END, 60) END AS expected) z) y) x
CROSS JOIN LATERAL (
  SELECT json_object_agg(c.id::text, CASE WHEN c.rn <= c.seats
           THEN (x.present - x.invalid) * (56 + c.seats - c.rn + 1) / 100
           ELSE greatest((x.present - x.invalid) * 40 / (100 * greatest(c.n - c.seats, 1)) - (c.rn - 1), 0) END
         ORDER BY c.id) AS votes,
         json_agg(c.id ORDER BY c.id) FILTER (WHERE c.elected) AS elected
  FROM (SELECT c.id, c.elected, row_number() OVER (PARTITION BY c.post ORDER BY c.id) AS rn,
               count(*) OVER (PARTITION BY c.post) AS n,
               CASE c.post WHEN 'director' THEN p.s_director WHEN 'deputy_director' THEN p.s_deputy
                           ELSE p.s_member END AS seats
        FROM candidates c WHERE c.election_id = p.eid) c) v
WHERE {HAS_ROUND}
"""

CERTIFICATES_SQL = f"""
INSERT INTO certificates (serial, election_id, candidate_id, issued_by, issued_at)
SELECT 'ZS' || p.ccode || '-' || c.id, p.eid, c.id, p.cadre, {at(4, '0.1 + (c.id % 50) * 0.002')}
FROM plan p JOIN candidates c ON c.election_id = p.eid
WHERE p.body = 'residents' AND c.elected AND (p.rank >= 5 OR (p.rank = 4 AND p.progress >= 1))
ORDER BY p.eid, c.id
"""

COMPLAINTS_SQL = f"""
INSERT INTO complaints (election_id, community_id, candidate_id, category, summary, received_on, due_on, filed_by,
  filed_at, outcome, resolution_note, resolved_by, resolved_at)
SELECT q.eid, q.cid, q.cand, q.category, q.summary, q.received, q.received + 30, q.cadre, q.filed,
  CASE WHEN q.resolved THEN 'unfounded' END, CASE WHEN q.resolved THEN '经调查核实，反映问题不属实' END,
  CASE WHEN q.resolved THEN q.csup END, CASE WHEN q.resolved THEN q.filed + interval '5 days' END
FROM (
  SELECT p.eid, p.cid, p.cadre, p.csup,
    (SELECT min(c.id) FROM candidates c WHERE c.election_id = p.eid AND NOT c.elected) AS cand,
    ({_arr(('bribery', 'procedure', 'other', 'improper_competition'))})[1 + (p.h / 100) % 4] AS category,
    ({_arr(('有居民反映候选人存在拉票行为', '选民名单公布时间有异议', '反映选举委员会成员未回避', '反映投票站设置不规范'))})
      [1 + (p.h / 400) % 4] AS summary,
    {at('p.rank', '0.5')} AS filed,
    ({at('p.rank', '0.5')} AT TIME ZONE 'Asia/Shanghai')::date - (p.h / 10) % 3 AS received,
    (p.h / 10) % 10 < 3 AND {at('p.rank', '0.5')} + interval '5 days' < now() AS resolved
  FROM plan p WHERE p.rank BETWEEN 0 AND 3 AND p.h % 100 < 3) q
ORDER BY q.filed
"""

DOSSIERS_SQL = """
INSERT INTO dossiers (community_id, cause, due_on, stationed_cadre, status, note, opened_by, opened_at, automatic)
SELECT p.cid, '全面排查：存在不能按期完成换届的风险（' || p.ccode || '）', current_date - 10 + p.h % 31,
  '驻社区指导员' || (p.h % 90 + 10), 'open', NULL, p.csup, now() - ((p.h % 20) || ' days')::interval, false
FROM plan p WHERE p.body = 'party' AND p.key AND p.h % 10 = 0
"""

INCIDENTS_SQL = """
INSERT INTO incidents (community_id, summary, severity, reported_by, reported_at, ack_due_on, acknowledged_by,
  acknowledged_at, ack_note)
SELECT p.cid, '发生群体性上访，请求上级协调处置', CASE WHEN p.h % 2 = 0 THEN 'major' ELSE 'urgent' END, p.cadre,
  now() - ((p.h % 5) || ' days')::interval, (now() AT TIME ZONE 'Asia/Shanghai')::date - p.h % 5 + 1,
  CASE WHEN p.h % 3 = 0 THEN p.tsup END, CASE WHEN p.h % 3 = 0 THEN now() - interval '1 hour' END,
  CASE WHEN p.h % 3 = 0 THEN '已知悉，正在协调' END
FROM plan p WHERE p.body = 'residents' AND p.h % 1000 = 7
"""

_AUDIT_COLS = "at, actor_id, actor, election_id, community_id, action, from_state, to_state, trigger, note, data"
_WHO = ("CASE fp.recorder WHEN 'supervisor' THEN p.csup WHEN 'supervisor_city' THEN p.tsup ELSE p.cadre END, "
        "CASE fp.recorder WHEN 'supervisor' THEN p.csup_name WHEN 'supervisor_city' THEN p.tsup_name "
        "ELSE p.cadre_name END")
_CANDIDATE_JSON = ("json_build_object('id', c.id, 'election', c.election_id, 'name', c.name, 'post', c.post, "
                   "'gender', c.gender, 'birth_year', c.birth_year, 'education', c.education, 'party_member', "
                   "c.party_member, 'full_member', c.full_member, 'qualified', c.qualified, 'on_election_committee', "
                   "false, 'presented', false, 'background', c.background, 'graduate_recruit', c.graduate_recruit, "
                   "'dispatched_from', NULL, 'withdrawn', false, 'disqualified', false, 'voided', false, "
                   "'elected', false, 'certificate', NULL)")


def audit_sql(k: int) -> str:
    """SQL: the history rows of main-path state k for every election, in time order."""
    parts = [f"""SELECT f.recorded_at, {_WHO}, p.eid, p.cid, 'fact_recorded', NULL, NULL, NULL, NULL,
        json_build_object('key', f.key, 'value', f.value, 'previous', NULL)
      FROM plan p JOIN facts f ON f.election_id = p.eid JOIN fplan fp ON fp.body = p.body AND fp.key = f.key
      WHERE fp.krank = {k}"""]
    if k == 0:
        parts.append(f"""SELECT {at(0, '0.05')}, p.cadre, p.cadre_name, p.eid, p.cid, 'seats_set', NULL, NULL, NULL,
            NULL, json_build_object('seats', e.seats, 'previous', '{{}}'::json)
          FROM plan p JOIN elections e ON e.id = p.eid WHERE p.rank >= 1 OR p.progress >= 1""")
        parts.append(f"""SELECT {at(0, '0.08')}, p.csup, p.csup_name, p.eid, p.cid, 'transition', 'preparation',
            'preparation', 'apply_village_law', NULL, '{{}}'::json FROM plan p WHERE p.vlaw""")
    if k == 1:
        parts.append(f"""SELECT c.created_at, p.cadre, p.cadre_name, p.eid, p.cid, 'candidate_added', NULL, NULL, NULL,
            NULL, {_CANDIDATE_JSON} FROM plan p JOIN candidates c ON c.election_id = p.eid""")
    if k == 2:
        parts.append(f"""SELECT {at(2, '0.1 + (c.id % 40) * 0.002')}, p.cadre, p.cadre_name, p.eid, p.cid,
            'candidate_updated', NULL, NULL, NULL, NULL,
            json_build_object('candidate', c.id,
                              'changes', json_build_object('presented', json_build_array(false, true)))
          FROM plan p JOIN candidates c ON c.election_id = p.eid WHERE c.presented""")
    if k == 3:
        parts.append("""SELECT r.recorded_at, p.cadre, p.cadre_name, p.eid, p.cid, 'round_recorded', NULL, NULL, NULL,
            NULL, json_build_object('id', r.id, 'number', r.number, 'kind', r.kind, 'expected', r.expected,
              'present', r.present, 'ballots_issued', r.ballots_issued, 'ballots_returned', r.ballots_returned,
              'ballots_invalid', r.ballots_invalid, 'votes', r.votes, 'valid', r.valid, 'problems', r.problems,
              'elected', r.elected, 'unfilled', r.unfilled, 'open_seats', r.open_seats, 'superseded', false)
          FROM plan p JOIN rounds r ON r.election_id = p.eid""")
    if k == 4:
        parts.append("""SELECT x.issued_at, p.cadre, p.cadre_name, p.eid, p.cid, 'certificate_issued', NULL, NULL, NULL,
            NULL, json_build_object('candidate', c.id, 'name', c.name, 'serial', x.serial)
          FROM plan p JOIN certificates x ON x.election_id = p.eid JOIN candidates c ON c.id = x.candidate_id""")
    parts.append(f"""SELECT q.filed_at, q.filed_by, p.cadre_name, p.eid, p.cid, 'complaint_filed', NULL, NULL, NULL,
        NULL,
        json_build_object('id', q.id, 'election', q.election_id, 'candidate', q.candidate_id, 'category', q.category,
          'summary', q.summary, 'received_on', q.received_on, 'due_on', q.due_on, 'open', true)
      FROM plan p JOIN complaints q ON q.election_id = p.eid WHERE p.rank = {k}""")
    if k < len(MAIN_PATH) - 1:
        state, dest = MAIN_PATH[k], MAIN_PATH[k + 1]
        who = "p.tsup, p.tsup_name" if LEAVING[state] == "accept_summary" else "p.cadre, p.cadre_name"
        parts.append(f"""SELECT {t(k + 1)}, {who}, p.eid, p.cid, 'transition', '{state}', '{dest}',
            '{LEAVING[state]}', NULL, '{{}}'::json FROM plan p WHERE p.rank > {k}""")
        parts.append(f"""SELECT greatest(p.entered + interval '1 hour', (p.susp_on + time '10:00') AT TIME ZONE
            'Asia/Shanghai'), p.csup, p.csup_name, p.eid, p.cid, 'transition', '{state}', 'suspended', 'suspend',
            '选情复杂，启动应急处置预案', json_build_object('review_on', p.review_on)
          FROM plan p WHERE p.susp AND p.rank = {k}""")
    body = "\nUNION ALL\n".join(parts)
    return f"INSERT INTO audit_events ({_AUDIT_COLS}) SELECT * FROM (\n{body}\n) u ORDER BY 1"


AFTER_SQL = [
    """INSERT INTO audit_events (at, actor_id, actor, community_id, action, data)
       SELECT d.opened_at, d.opened_by, u.username, d.community_id, 'dossier_opened',
              json_build_object('id', d.id, 'cause', d.cause, 'due_on', d.due_on)
       FROM dossiers d JOIN users u ON u.id = d.opened_by ORDER BY d.opened_at""",
    """INSERT INTO audit_events (at, actor_id, actor, community_id, action, data)
       SELECT i.reported_at, i.reported_by, u.username, i.community_id, 'incident_reported',
              json_build_object('id', i.id, 'severity', i.severity)
       FROM incidents i JOIN users u ON u.id = i.reported_by ORDER BY i.reported_at""",
]
