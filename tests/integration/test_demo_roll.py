"""The demo's national-2026 campaign: rolls generated set-wise through the registration check, announcements,
objections; loading it twice changes nothing."""
from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import func, select

from tests.support import build_world
from workflow.demo_roll import NATIONAL_CAMPAIGN, load_national
from workflow.models import Announcement, Campaign, Voter, VoterObjection


def test_the_national_demo_fills_rolls_publishes_and_files_objections(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUANJIE_IDENTITY_KEY", "demo-test-key")
    build_world(db)
    started = time.monotonic()
    total = load_national(db, random.Random(1), communities=2, per_community=300, published=1, echo=lambda _m: None)
    elapsed = time.monotonic() - started
    assert total == 600 and elapsed < 60
    with db.uow(write=False) as w:
        s = w.session
        assert s.scalar(select(Campaign.rule_set).where(Campaign.code == NATIONAL_CAMPAIGN)) == "national-2026"
        assert s.scalar(select(func.count()).select_from(Voter).where(Voter.status == "registered")) == 601
        assert s.scalar(select(func.count(func.distinct(Voter.id_hash)))) == 601
        kinds = sorted(k for (k,) in s.execute(select(Announcement.kind)))
        assert kinds == ["election_notice", "election_notice", "voter_list"]
        assert sorted(st for (st,) in s.execute(select(VoterObjection.status))) == ["open", "upheld"]
    assert load_national(db, random.Random(1), communities=2, per_community=300, echo=lambda _m: None) == 0
