"""Appending to the history's hash chains inside the writing transaction, and checking them (domain.md §14).

Every history row goes through `stamp` (the ORM's `audit()`, the transition's write, the sweep's set-wise rows), which
gives it its id and its hash before it is inserted. A chain is appended to only while its lock is held, from reading
its latest hash until the transaction ends: an election's chain is locked with the election's row (the lock a
transition already holds), the chain of the rows without an election with an advisory lock on PostgreSQL; SQLite's
writers hold the database's write lock for the whole transaction. Ids are drawn after the lock, so within a chain the
id order is the order of appending, and the chain is read back in id order.
"""
from __future__ import annotations

import datetime as dt
import json
from hashlib import sha256
from typing import Any, Iterable, Iterator, Optional

from sqlalchemy import String, bindparam, event, func, select, text, type_coerce
from sqlalchemy.orm import Session

from ..history import FIELDS, GENESIS, chain_hash, digest, dumps, encode, encode_parts, instant, normalize_data
from ..models import AuditEvent

_A = AuditEvent.__table__
_HEADS = "huanjie_chain_heads"
_NEXT_ID = "huanjie_chain_next_id"
#: the advisory lock of the chain of rows without an election (PostgreSQL)
NULL_CHAIN_LOCK = 0x68697374  # "hist"
SEQUENCE = "audit_events_id_seq"
BATCH = 5000


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    """Heads and ids are known only while the transaction holds the chains' locks (and until a savepoint ends,
    which may have taken rows back); a flush's own inner transaction changes nothing."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HEADS, None)
        session.info.pop(_NEXT_ID, None)


def _postgresql(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


_HEAD_OF = {True: select(_A.c.hash).where(_A.c.election_id.is_(None)).order_by(_A.c.id.desc()).limit(1),
            False: select(_A.c.hash).where(_A.c.election_id == bindparam("eid")).order_by(_A.c.id.desc()).limit(1)}


def lock_chain(s: Session, election_id: Optional[int]) -> None:
    """Take the lock of a chain until the transaction ends (PostgreSQL; SQLite's writer holds the database)."""
    if not _postgresql(s):
        return
    conn = s.connection()
    if election_id is None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": NULL_CHAIN_LOCK})
        return
    # the election's row lock is the one a transition takes (load_subject): one lock for every writer of the chain
    found = conn.execute(text("SELECT id FROM elections WHERE id = :eid FOR NO KEY UPDATE"), {"eid": election_id})
    if found.first() is None:  # history of an election that is gone: still one writer at a time
        conn.execute(text("SELECT pg_advisory_xact_lock(:c, :e)"), {"c": NULL_CHAIN_LOCK, "e": election_id})


def head(s: Session, election_id: Optional[int]) -> str:
    """Return a chain's latest hash in this transaction, locking the chain the first time."""
    heads: dict[Optional[int], str] = s.info.setdefault(_HEADS, {})
    found = heads.get(election_id)
    if found is None:
        lock_chain(s, election_id)
        s.flush()  # rows of this chain still pending in the session must be read back
        stmt = _HEAD_OF[election_id is None]
        found = s.connection().execute(stmt, {"eid": election_id}).scalar() or GENESIS
        heads = s.info.setdefault(_HEADS, {})  # the flush may have ended a savepoint (and cleared the heads)
        heads[election_id] = found
    return found


def _next_id(s: Session) -> int:
    """Draw the next history id (after the chain's lock: ids follow the order of appending)."""
    conn = s.connection()
    if _postgresql(s):
        return int(conn.execute(text(f"SELECT nextval('{SEQUENCE}')")).scalar_one())
    # SQLite: this transaction holds the write lock, so the ids after the largest one are its own
    nxt = s.info.get(_NEXT_ID)
    if nxt is None:
        s.flush()
        nxt = int(conn.execute(select(func.coalesce(func.max(_A.c.id), 0))).scalar_one()) + 1
    s.info[_NEXT_ID] = nxt + 1
    return int(nxt)


def _prepare(row: dict[str, Any]) -> None:
    """Bring a row's values to what the database hands back: data through JSON, the instant in UTC."""
    row["data"] = normalize_data(row.get("data"))
    at = row.get("at")
    if isinstance(at, dt.datetime):
        # SQLite keeps the wall clock without its offset: only a UTC instant reads back as the one hashed
        row["at"] = (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    for name in FIELDS:
        row.setdefault(name, None)


def stamp(s: Session, row: dict[str, Any]) -> dict[str, Any]:
    """Give a history row (every column but id and hash) its id and hash, and append it to its chain's head."""
    _prepare(row)
    key = row["election_id"]
    previous = head(s, key)
    row["id"] = _next_id(s)
    row["hash"] = chain_hash(previous, encode(row))
    s.info.setdefault(_HEADS, {})[key] = row["hash"]
    return row


def stamp_parts(s: Session, row: dict[str, Any]) -> tuple[str, str]:
    """Prepare a row whose id and hash the database computes in the statement that writes it (PostgreSQL).

    The caller already holds the chain's lock (the transition's row lock). Returns the encoding before and after
    the id; the statement reads the chain's head, draws the id and hashes (see `hash_sql`).
    """
    _prepare(row)
    s.info.get(_HEADS, {}).pop(row["election_id"], None)
    return encode_parts(row)


def appended(s: Session, election_id: Optional[int], row_hash: str) -> None:
    """Record the head a statement wrote (see stamp_parts)."""
    s.info.setdefault(_HEADS, {})[election_id] = row_hash


# --- checking ---------------------------------------------------------------------------------------------------

_COLUMNS = [_A.c.id, _A.c.hash] + [_A.c[name] for name in FIELDS if name != "id"]
_NAMES = ["id", "hash"] + [name for name in FIELDS if name != "id"]
_ENCODED = _NAMES[2:]
_AT, _DATA = _NAMES.index("at"), _NAMES.index("data")
#: SQLite keeps instants and JSON as text, which anyone may overwrite with anything: read the text, so that a
#: value no type can take is a bad row, not a failed check (PostgreSQL's types refuse such values)
_RAW_COLUMNS = [type_coerce(c, String) if c.name in ("at", "data") else c for c in _COLUMNS]


def _raw_row(values: Any) -> tuple[Any, ...]:
    """Turn SQLite's text of a row's instant and data into their values (None where the text is no value)."""
    out = list(values)
    try:
        out[_AT] = dt.datetime.fromisoformat(out[_AT]) if out[_AT] is not None else None
        out[_DATA] = json.loads(out[_DATA]) if out[_DATA] is not None else None
    except (TypeError, ValueError):
        out[_AT], out[_DATA] = BAD, None
    return tuple(out)


BAD = "\x00unreadable"


def _batches(s: Session, after_id: int, upto: Optional[int], election_id: Optional[int],
             only_election: bool) -> Iterator[list[Any]]:
    """Yield the rows after an id in id order, a batch at a time (keyset: the memory stays flat)."""
    last = after_id
    while True:
        raw = not _postgresql(s)
        stmt = select(*(_RAW_COLUMNS if raw else _COLUMNS)).where(_A.c.id > last).order_by(_A.c.id).limit(BATCH)
        if only_election:
            stmt = stmt.where(_A.c.election_id == election_id)
        if upto is not None:
            stmt = stmt.where(_A.c.id <= upto)
        rows = s.execute(stmt).all()
        if not rows:
            return
        yield [_raw_row(r) for r in rows] if raw else rows
        last = rows[-1][0]


def heads_at(s: Session, upto: int, keys: Optional[Iterable[Optional[int]]] = None) -> dict[Optional[int], str]:
    """Return the stored latest hash of chains (all, or those keyed) among the rows with id <= upto."""
    conn = s.connection()
    out: dict[Optional[int], str] = {}
    wanted = None if keys is None else sorted({k for k in keys if k is not None})
    if keys is None or None in set(keys):
        found = conn.execute(select(_A.c.hash).where(_A.c.election_id.is_(None), _A.c.id <= upto)
                             .order_by(_A.c.id.desc()).limit(1)).scalar()
        if found is not None:
            out[None] = found
    chunks = [None] if wanted is None else [wanted[i:i + 1000] for i in range(0, len(wanted), 1000)]
    for chunk in chunks:
        if chunk is not None and not chunk:
            continue
        last = select(func.max(_A.c.id)).where(_A.c.election_id.is_not(None), _A.c.id <= upto)
        if chunk is not None:
            last = last.where(_A.c.election_id.in_(chunk))
        last = last.group_by(_A.c.election_id)
        for key, value in conn.execute(select(_A.c.election_id, _A.c.hash).where(_A.c.id.in_(last))):
            out[key] = value or ""
    return out


class Check:
    """What checking the history found: rows read, and the first bad row of each broken chain."""

    def __init__(self) -> None:
        self.rows = 0
        self.chains = 0
        self.broken: dict[Optional[int], int] = {}
        self.max_id = 0

    @property
    def ok(self) -> bool:
        return not self.broken

    def first_bad(self) -> Optional[int]:
        return min(self.broken.values()) if self.broken else None

    def broken_list(self) -> list[dict[str, Any]]:
        return [{"election": key, "first_bad": bad} for key, bad in
                sorted(self.broken.items(), key=lambda kv: kv[1])]


def check_rows(s: Session, after_id: int = 0, upto: Optional[int] = None, election_id: Optional[int] = None,
               only_election: bool = False) -> Check:
    """Check every row after an id (all rows: 0) against the stored hash of its chain's previous row.

    A row is good when its hash is SHA-256 of the previous row's stored hash and its encoding; the first row that
    is not names the edit, the deletion (the row after it), the insertion or the reordering. Rows before after_id
    are trusted (they were checked before); their chains' heads are read as stored.
    """
    result = Check()
    heads: dict[Optional[int], str] = {}
    for rows in _batches(s, after_id, upto, election_id, only_election):
        if after_id:
            unknown = {r[_NAMES.index("election_id")] for r in rows} - heads.keys()
            if unknown:
                known = heads_at(s, after_id, unknown)
                for key in unknown:
                    heads[key] = known.get(key, GENESIS)
        for values in rows:
            # the row's fields as the encoding wants them (one dict, one json.dumps: the check's hot path)
            row = dict(zip(_ENCODED, values[2:]))
            row["id"] = values[0]
            if row["at"] is not None and row["at"] is not BAD:
                row["at"] = instant(row["at"])
            key = row["election_id"]
            result.rows += 1
            if key in result.broken:
                continue
            stored = values[1]
            try:
                good = row["at"] is not BAD and (
                    stored == sha256(((heads.get(key) or GENESIS) + dumps(row)).encode()).hexdigest())
            except ValueError:  # a value no JSON can hold (NaN written behind the application's back)
                good = False
            if not good:
                result.broken[key] = values[0]
            heads[key] = stored or ""
        result.max_id = rows[-1][0]
    result.chains = len(heads)
    return result


def current_heads(s: Session) -> dict[Optional[int], str]:
    """Return every chain's latest stored hash."""
    return heads_at(s, 2**62)


def current_digest(s: Session, upto: Optional[int] = None) -> tuple[str, int, int]:
    """Return the digest of the chains' latest hashes among the rows with id <= upto (default all), chains, max id."""
    top = int(s.execute(select(func.coalesce(func.max(_A.c.id), 0))).scalar_one()) if upto is None else upto
    heads = heads_at(s, top)
    return digest(heads.items()), len(heads), top


__all__ = ["stamp", "stamp_parts", "appended", "head", "lock_chain", "check_rows", "current_digest", "heads_at",
           "Check", "instant", "GENESIS"]
