"""A national-2026 campaign on the test world: the voter roll's fixtures and helpers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from tests.e2e.api_support import Api, make_api
from workflow import clock
from workflow.auth import SYSTEM
from workflow.db import Database
from workflow.identity import make_id_number
from workflow.models import Election
from workflow.services.campaigns import create_campaign, launch_campaign

#: the clock of these tests: 2026-11-02, noon in Shanghai
NOW = dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 11, 2)
ELECTION_DAY = dt.date(2026, 12, 6)
DUE26 = {"preparation": "2026-11-30", "nomination": "2026-12-15", "candidate_meeting": "2026-12-20",
         "voting": "2026-12-25", "certification": "2026-12-28", "handover": "2026-12-31", "summary": "2027-01-10"}


@dataclass
class Roll:
    """The API over the test world plus campaign CN2026 (national-2026, concurrent order)."""

    api: Api
    elections: dict[str, int]

    def at(self, day: dt.date) -> None:
        """Move the clock to noon (Shanghai) of a day."""
        clock.freeze(dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.timezone.utc))

    def prepare(self, key: str = "a", day: dt.date = ELECTION_DAY, mode: str = "direct") -> int:
        """Record election day and mode on a residents' election; return its id."""
        e = self.elections[key]
        r = self.api.patch(f"/elections/{e}/facts", {"facts": {"election_day": day.isoformat(),
                                                                "election_mode": mode}}, who="cadre" if key != "b"
                           else "othercadre")
        assert r.status_code == 200, r.get_json()
        return e

    def register(self, e: int, who: str = "cadre", status: int = 201, **person: Any) -> Any:
        r = self.api.post(f"/elections/{e}/voters", person_body(**person), who=who)
        assert r.status_code == status, r.get_json()
        return r.get_json()


def person_body(n: int = 1, born: dt.date = dt.date(1980, 5, 1), region: str = "210102", **extra: Any
                ) -> dict[str, Any]:
    """A voter's fields with a valid id number (born, sequence n)."""
    body = {"name": f"选民{n:04d}", "gender": "f" if n % 2 else "m", "id_number": make_id_number(region, born, n),
            "household": f"H{(n + 1) // 2}", "group": f"第{n % 3 + 1}居民小组", "category": "hukou"}
    body.update(extra)
    return body


def make_roll(db: Database, monkeypatch: pytest.MonkeyPatch) -> Roll:
    monkeypatch.setenv("HUANJIE_IDENTITY_KEY", "test-identity-key")
    api = make_api(db)
    clock.freeze(NOW)
    with db.uow() as w:
        create_campaign(w, SYSTEM, "CN2026", "2026年社区换届", "national-2026", "210000", "concurrent", DUE26)
        launch_campaign(w, SYSTEM, "CN2026")
    with db.uow(write=False) as w:
        rows = w.session.execute(select(Election).where(Election.body == "residents",
                                                        Election.campaign.has(code="CN2026"))).scalars().all()
        short = {"210102001001": "a", "210102001002": "v", "210103001001": "b"}
        elections = {short[e.community.code]: e.id for e in rows}
        for e in w.session.scalars(select(Election).where(Election.body == "party",
                                                          Election.campaign.has(code="CN2026"))):
            elections[f"{short[e.community.code]}_party"] = e.id
    return Roll(api, elections)


@pytest.fixture
def roll(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Roll]:
    """The API, the test world and a national-2026 campaign, on SQLite then PostgreSQL; clock at 2026-11-02."""
    yield make_roll(db, monkeypatch)
