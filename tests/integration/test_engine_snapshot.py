"""A transition loads only what its guards read: the verdict is always the one of the full snapshot."""
from __future__ import annotations

from workflow import guards as G
from workflow.machines import DEFINITIONS, MAIN_PATH
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.elections import GUARD_READS, SNAPSHOT_PARTS, parts_read_by, snapshot
from tests.integration.engine_support import Engine


def test_every_guard_declares_what_it_reads():
    assert set(G.GUARDS) <= set(GUARD_READS)
    assert all(parts <= SNAPSHOT_PARTS for parts in GUARD_READS.values())
    assert parts_read_by(["a_guard_nobody_declared"]) == SNAPSHOT_PARTS  # unknown: load everything
    assert parts_read_by(()) == frozenset()
    assert parts_read_by(DEFINITIONS["party"].guards("another_round")) == {"rounds", "candidates"}


def same_verdicts(eng: Engine, key: str) -> int:
    """Compare, for every trigger of the body, the unmet guards on the partial and on the full snapshot."""
    checked = 0
    with eng.db.uow(write=False) as uow:
        e = eng.world.election(uow, key)
        full = snapshot(uow.session, e)
        for t in DEFINITIONS[e.body].transitions:
            codes = tuple(t.get("guards", ()))
            partial = snapshot(uow.session, e, codes=codes)
            assert G.unmet(codes, partial) == G.unmet(codes, full), (key, e.state, t["trigger"])
            checked += 1
    return checked


def test_partial_snapshots_give_the_full_snapshots_verdicts_along_both_walks(db):
    eng = Engine(db)  # party first: the residents' election waits on the party's
    for state in MAIN_PATH:
        eng.advance("a_party", state)
        eng.advance("a_residents", state if state != "voting" else "candidate_meeting")
        if state == "certification":  # an open bribery complaint against a winner blocks certify
            for key in ("a_party", "a_residents"):
                winner = eng.elected(key)[0]
                complaint = eng.call(file_complaint, eng.world.elections[key], "bribery", winner, "2014-12-09", "贿选")
                assert same_verdicts(eng, key)
                eng.call(resolve_complaint, complaint.id, "unfounded", actor="inspector")
        assert same_verdicts(eng, "a_party") and same_verdicts(eng, "a_residents"), state
    assert eng.state("a_party") == eng.state("a_residents") == "closed"
    assert same_verdicts(eng, "v_residents") and same_verdicts(eng, "v_party")
