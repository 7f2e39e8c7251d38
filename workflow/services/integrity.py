"""Checking the history (domain.md §14): one election, everything, and the daily check with its digest."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import select

from ..auth import SYSTEM, Actor
from ..clock import now, today
from ..db import UnitOfWork
from ..models import Community, Election, HistoryDigest, Incident, User
from ..storage import Store
from .chain import check_rows, current_digest, heads_at
from .common import audit, get_election
from .escalation import chain as people_of
from .evidence import check_files
from .notifications import notify
from .sweep_sql import community_rule_set
from ..history import digest as digest_of


def verify_election(uow: UnitOfWork, actor: Actor, election_id: Any,
                    store: Optional[Store] = None) -> dict[str, Any]:
    """Check one election's chain and its evidence files: `{"ok", "rows", "first_bad", ...}`."""
    s = uow.session
    election = get_election(s, actor, election_id)
    result = check_rows(s, election_id=election.id, only_election=True)
    files = check_files(s, election.id, store=store)
    bad = [v for v in (result.first_bad(), *(f["history_id"] for f in files)) if v is not None]
    return {"ok": result.ok and not files, "rows": result.rows, "first_bad": min(bad) if bad else None,
            "chain_ok": result.ok, "files_bad": files}


def verify_all(uow: UnitOfWork, election_id: Optional[int] = None, store: Optional[Store] = None) -> dict[str, Any]:
    """Check every chain (or one election's), the evidence files, and the newest stored digest against the rows."""
    s = uow.session
    if election_id is not None:
        get_election(s, SYSTEM, election_id)  # an unknown election is an error, not an empty chain
        result = check_rows(s, election_id=election_id, only_election=True)
        files = check_files(s, election_id, store=store)
        digest, chains, top = current_digest(s)
        return {"ok": result.ok and not files, "rows": result.rows, "chains": 1 if result.rows else 0,
                "broken": result.broken_list(), "files_bad": files, "digest": digest, "digest_chains": chains,
                "max_id": top, "day_check": None}
    result = check_rows(s)
    files = check_files(s, store=store)
    digest, chains, top = current_digest(s)
    day_check = check_stored_digest(s)
    ok = result.ok and not files and (day_check is None or day_check["ok"])
    return {"ok": ok, "rows": result.rows, "chains": result.chains, "broken": result.broken_list(),
            "files_bad": files, "digest": digest, "digest_chains": chains, "max_id": top, "day_check": day_check}


def check_stored_digest(s: Any) -> Optional[dict[str, Any]]:
    """Recompute the newest stored day's digest from the rows it covered: a row cut from a chain's end shows here."""
    last = s.scalars(select(HistoryDigest).order_by(HistoryDigest.on_date.desc()).limit(1)).first()
    if last is None:
        return None
    again = digest_of(heads_at(s, last.max_id).items())
    return {"date": last.on_date.isoformat(), "stored": last.digest, "recomputed": again, "ok": again == last.digest}


def digest_dict(row: Optional[HistoryDigest]) -> Optional[dict[str, Any]]:
    """Return a day's digest as the bulletin, the UI and the command line show it."""
    if row is None:
        return None
    return {"date": row.on_date.isoformat(), "digest": row.digest, "chains": row.chains, "max_id": row.max_id,
            "rows_checked": row.rows_checked, "broken": list(row.broken or []), "ok": not row.broken,
            "computed_at": row.computed_at.isoformat() if row.computed_at else None}


def newest_digest(s: Any) -> Optional[dict[str, Any]]:
    """Return the newest day's digest in a session, or None before the first check."""
    return digest_dict(s.scalars(select(HistoryDigest).order_by(HistoryDigest.on_date.desc()).limit(1)).first())


def latest_digest(uow: UnitOfWork) -> Optional[dict[str, Any]]:
    """Return the newest day's digest."""
    return newest_digest(uow.session)


def daily_check(s: Any, day: Optional[dt.date] = None, store: Optional[Store] = None) -> dict[str, Any]:
    """Check the rows written since the last day's check, store the day's digest, raise an incident per break.

    Once a day: a day already checked is returned as stored. Rows before the last check's newest row were checked
    then; the full check is `huanjie verify`.
    """
    day = day or today()
    found = s.get(HistoryDigest, day)
    if found is not None:
        return digest_dict(found)  # type: ignore[return-value]
    last = s.scalars(select(HistoryDigest).where(HistoryDigest.on_date < day)
                     .order_by(HistoryDigest.on_date.desc()).limit(1)).first()
    after = last.max_id if last is not None else 0
    digest, chains, top = current_digest(s)
    result = check_rows(s, after_id=after, upto=top)
    files = check_files(s, after_id=after, store=store)
    broken = result.broken_list() + [{"election": f["election"], "first_bad": f["history_id"],
                                      "attachment": f["attachment"]} for f in files]
    known = {(b.get("election"), b.get("first_bad")) for b in (last.broken if last is not None else [])}
    row = HistoryDigest(on_date=day, digest=digest, chains=chains, max_id=top, rows_checked=result.rows,
                        broken=broken, computed_at=now())
    s.add(row)
    for item in broken:
        if (item.get("election"), item.get("first_bad")) not in known:
            _raise_incident(s, item)
    audit(s, SYSTEM, "history_checked", data={"date": day.isoformat(), "digest": digest, "chains": chains,
                                              "max_id": top, "rows": result.rows, "broken": len(broken)})
    s.flush()
    return digest_dict(row)  # type: ignore[return-value]


def _raise_incident(s: Any, item: dict[str, Any]) -> None:
    """A broken chain is a major problem: an urgent incident on the election's community (it escalates unless
    acknowledged), and every administrator hears of it at once."""
    eid, bad = item.get("election"), item.get("first_bad")
    what = (f"证据文件 {item['attachment']} 与历史记录不符" if item.get("attachment") is not None
            else f"历史记录链在第 {bad} 条记录处断开")
    admins = [uid for (uid,) in s.execute(select(User.id).where(User.role == "admin", User.active.is_(True)))]
    community = None
    if eid is not None:
        election = s.get(Election, eid)
        community = s.get(Community, election.community_id) if election is not None else None
    if community is not None:
        rules = community_rule_set(s, community.id)
        summary = f"【历史记录校验】选举 {eid}：{what}（可能被篡改）。/ History check: election {eid}: broken at row {bad}."
        incident = Incident(community_id=community.id, summary=summary, severity="urgent", reported_by=None,
                            reported_at=now(), ack_due_on=today() + dt.timedelta(days=rules.incident_ack_days))
        s.add(incident)
        s.flush()
        people = people_of(s, community)
        leaders = [p[0] for p in (people["contacts"].get("street"), people["contacts"].get("county")) if p]
        notify(s, admins + leaders + [p[0] for p in people["copied"]], f"【紧急】历史记录校验失败：{community.name}",
               summary, f"/notices/incidents/{incident.id}")
        audit(s, SYSTEM, "incident_reported", community_id=community.id,
              data={"id": incident.id, "severity": "urgent", "summary": summary, "history_row": bad})
    else:
        notify(s, admins, "【紧急】历史记录校验失败 / History check failed",
               f"无选举的记录链在第 {bad} 条记录处断开。/ The chain without an election is broken at row {bad}.",
               "/history")
