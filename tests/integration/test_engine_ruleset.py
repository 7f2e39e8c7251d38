"""A second rule set is only a new file: a campaign under it runs the same engine with its own numbers."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from workflow.auth import SYSTEM
from workflow.errors import InvalidRequest
from workflow.models import Campaign, Election
from workflow.ruleset import register_rule_set_dir
from workflow.services.campaigns import create_campaign, launch_campaign
from tests.integration.engine_support import Engine
from tests.support import DUE

TEST_RULESETS = Path(__file__).resolve().parents[1] / "data" / "rulesets"
ROUND = {"expected": 100, "present": 75, "ballots_issued": 75, "ballots_returned": 75, "ballots_invalid": 0}


def second_campaign(eng: Engine) -> None:
    """Launch a campaign under the test rule set in the same city; its elections join world.elections as a2_*."""
    register_rule_set_dir(TEST_RULESETS)
    with eng.db.uow() as uow:
        create_campaign(uow, SYSTEM, "TEST2", "测试规则集换届", "test-lenient-quorum", "210102001", "party_first", DUE)
        launch_campaign(uow, SYSTEM, "TEST2")
    with eng.db.uow(write=False) as uow:
        campaign = uow.session.scalars(select(Campaign).where(Campaign.code == "TEST2")).one()
        for e in uow.session.scalars(select(Election).where(Election.campaign_id == campaign.id)):
            short = {"210102001001": "a2", "210102001002": "v2"}[e.community.code]
            eng.world.elections[f"{short}_{e.body}"] = e.id


def test_the_second_rule_set_changes_the_outcome_of_the_same_round(db):
    eng = Engine(db)
    second_campaign(eng)
    outcomes = {}
    for key in ("a_party", "a2_party"):
        eng.advance(key, "voting")
        c = eng.standing(key)
        r = eng.round(key, kind="first", votes={str(x): 60 - i for i, x in enumerate(c[:5])}, **ROUND)
        outcomes[key] = (r.valid, r.problems, len(r.elected))
    # 75 of 100 present: not more than 4/5 under liaoning-2014, at least 2/3 under the test rule set
    assert outcomes == {"a_party": (False, ["quorum_not_met"], 0), "a2_party": (True, [], 5)}


@pytest.mark.parametrize("present, valid", [(66, False), (67, True)])
def test_the_second_rule_sets_threshold_holds_at_its_own_edge(db, present: int, valid: bool):
    eng = Engine(db)
    second_campaign(eng)
    eng.advance("a2_party", "voting")
    counts = {**ROUND, "present": present, "ballots_issued": present, "ballots_returned": present}
    assert eng.round("a2_party", kind="first", votes={}, **counts).valid is valid


def test_an_unknown_rule_set_cannot_start_a_campaign(db):
    eng = Engine(db)
    with pytest.raises(InvalidRequest) as err:
        with eng.db.uow() as uow:
            create_campaign(uow, SYSTEM, "BAD", "未知规则集", "national-1999", "210000", "party_first", DUE)
    assert "rule_set" in err.value.fields("en")
