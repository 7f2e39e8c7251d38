"""The history's canonical encoding and hashes (domain.md §14, README): what anyone's own script must reproduce."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

from workflow.history import FIELDS, GENESIS, chain_hash, digest, encode, encode_parts, instant, normalize_data
from workflow.models import AuditEvent

ROW = {"id": 42, "at": dt.datetime(2014, 12, 10, 4, 0, 1, 250, tzinfo=dt.timezone.utc), "actor_id": None,
       "actor": "街道干部", "action": "fact_recorded", "election_id": 7, "community_id": 3, "from_state": None,
       "to_state": None, "trigger": None, "note": 'say "hi"\n', "data": {"value": True, "key": "publicity_done",
                                                                       "nested": {"b": [1, None], "a": 1.5}}}


def test_every_column_but_the_hash_is_encoded():
    assert set(FIELDS) == {c.name for c in AuditEvent.__table__.columns} - {"hash"}
    assert list(FIELDS) == sorted(FIELDS)


def test_the_encoding_is_pythons_sorted_compact_utf8_json_with_the_instant_in_utc():
    expected = json.dumps({**ROW, "at": "2014-12-10T04:00:01.000250Z"}, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))
    assert encode(ROW) == expected
    assert '"actor":"街道干部"' in expected and '"actor_id":null' in expected and '"note":"say \\"hi\\"\\n"' in expected
    assert '"data":{"key":"publicity_done","nested":{"a":1.5,"b":[1,null]},"value":true}' in expected


def test_the_parts_around_the_id_splice_into_the_same_encoding():
    head, tail = encode_parts(ROW)
    assert head + "42" + tail == encode(ROW)


def test_an_instant_is_the_same_text_whatever_its_zone_and_a_naive_one_is_utc():
    shanghai = ROW["at"].astimezone(ZoneInfo("Asia/Shanghai"))
    assert instant(shanghai) == instant(ROW["at"]) == instant(ROW["at"].replace(tzinfo=None))
    assert instant(dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)) == "2015-01-01T00:00:00.000000Z"


def test_the_hash_chains_from_genesis_and_changes_with_any_field():
    first = chain_hash(None, encode(ROW))
    assert first == hashlib.sha256((GENESIS + encode(ROW)).encode("utf-8")).hexdigest() and len(first) == 64
    assert chain_hash(first, encode(ROW)) != first
    for name, value in (("note", "other"), ("id", 43), ("election_id", 8), ("data", {"value": False})):
        assert chain_hash(None, encode({**ROW, name: value})) != first, name


def test_data_is_hashed_as_the_database_gives_it_back():
    assert normalize_data({"ids": (1, 2), 3: "x", "on": dt.date(2015, 1, 2)}) == {"ids": [1, 2], "3": "x",
                                                                                  "on": "2015-01-02"}
    assert normalize_data(None) == {}


def test_the_digest_orders_the_chain_without_an_election_first_then_by_election_id():
    heads = [(12, "b" * 64), (None, "a" * 64), (3, "c" * 64)]
    lines = f"- {'a' * 64}\n3 {'c' * 64}\n12 {'b' * 64}\n"
    assert digest(heads) == hashlib.sha256(lines.encode()).hexdigest() == digest(reversed(heads))
