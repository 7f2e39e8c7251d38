"""The history's canonical encoding and hash chain (domain.md §14): pure functions, no database.

A history row is encoded as one JSON object with its fields in sorted key order, compact separators, UTF-8
(non-ASCII characters as themselves), `null` for a missing value, integers as JSON integers, the instant `at`
in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` and the `data` object encoded the same way (keys sorted at every level).
`hash = SHA-256(UTF-8(previous hash in hex + encoding))` in lowercase hex; the first row of a chain has the
previous hash `GENESIS`. Each election has its chain; the rows without an election form one chain of their own.
The README gives the same rules and a stand-alone script that checks them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterable, Mapping, Optional

_UTC = dt.timezone.utc
#: the previous hash of every chain's first row
GENESIS = "0" * 64
#: every column of audit_events that the hash covers (all but `hash` itself), in the encoding's (sorted) order
FIELDS = ("action", "actor", "actor_id", "at", "community_id", "data", "election_id", "from_state", "id", "note",
          "to_state", "trigger")
_BEFORE_ID = FIELDS[:FIELDS.index("id")]
_AFTER_ID = FIELDS[FIELDS.index("id") + 1:]


def dumps(value: Any) -> str:
    """Return the canonical JSON text of a value (sorted keys, compact, UTF-8 characters unescaped)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def normalize_data(data: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """Return data as the database hands it back (a JSON round trip: tuples become lists, keys strings)."""
    return json.loads(json.dumps(data or {}, default=_jsonable, ensure_ascii=False, allow_nan=False))


def _jsonable(value: Any) -> Any:
    """Dates and instants in data are kept as their ISO text (what they would be read back as)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"history data cannot hold {type(value).__name__}")


def instant(at: dt.datetime) -> str:
    """Return the canonical text of an instant: UTC, microseconds, `Z` (a naive value is UTC, as SQLite keeps it)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=_UTC)
    elif at.utcoffset():
        at = at.astimezone(_UTC)
    # isoformat is several times cheaper than strftime on the check's hot path; "+00:00" becomes "Z"
    return at.isoformat(timespec="microseconds")[:-6] + "Z"


def encode_parts(row: Mapping[str, Any]) -> tuple[str, str]:
    """Return the encoding before and after the row's id, so that the id may be spliced in later (by SQL)."""
    values = {name: row.get(name) for name in FIELDS if name != "id"}
    at = values["at"]
    if at is not None and not isinstance(at, str):
        values["at"] = instant(at)
    # the fields sort around "id": the object's text before it, and after it, each without its brace
    head = dumps({name: values[name] for name in _BEFORE_ID})[:-1]
    tail = dumps({name: values[name] for name in _AFTER_ID})[1:]
    return head + ',"id":', "," + tail


def encode(row: Mapping[str, Any]) -> str:
    """Return the canonical encoding of a history row (a mapping with every name of FIELDS).

    The same text as encode_parts around the id (one json.dumps of the whole object sorts its keys alike).
    """
    values = {name: row.get(name) for name in FIELDS}
    at = values["at"]
    if at is not None and not isinstance(at, str):
        values["at"] = instant(at)
    values["id"] = int(values["id"])
    return dumps(values)


def chain_hash(previous: Optional[str], encoding: str) -> str:
    """Return a row's hash from the previous row's hash of its chain (None: the first row) and its encoding."""
    return hashlib.sha256(((previous or GENESIS) + encoding).encode("utf-8")).hexdigest()


def row_hash(previous: Optional[str], row: Mapping[str, Any]) -> str:
    """Return the hash of a history row."""
    return chain_hash(previous, encode(row))


def digest(heads: Iterable[tuple[Optional[int], str]]) -> str:
    """Return the digest of the chains' latest hashes: SHA-256 over `<election id or -> <hash>\\n` lines.

    The rows without an election (key None, written `-`) come first, then the elections by ascending id.
    """
    ordered = sorted(heads, key=lambda kv: -1 if kv[0] is None else kv[0])
    h = hashlib.sha256()
    for key, head in ordered:
        h.update(f"{'-' if key is None else key} {head}\n".encode("ascii"))
    return h.hexdigest()
