"""Matrix rows of the report, map, submission and import routes (web/api/reports.py)."""
from __future__ import annotations

from typing import Callable

from tests.e2e.api_matrix import ALL, B, CITY_UP, COUNTY_A, COUNTY_B, SUPERVISORS, Case, Ctx

#: who sees the second city (only the province and the administrator)
CITY_B = frozenset({"admin", "province"})
CITY_SUPERVISOR = frozenset({"admin", "city"})
R = "/api/v1/campaigns/<code>"


def prepare_city(ctx: Ctx) -> None:
    """A second city (大连市) outside every scope below the province."""
    from workflow.auth import SYSTEM
    from workflow.services.structure import create_region
    with ctx.api.db.uow() as w:
        create_region(w, SYSTEM, "210200", "大连市", "city", "210000")
    ctx.ids["in"]["city"], ctx.ids["out"]["city"] = "210100", "210200"


PREPARE: dict[str, Callable[[Ctx], None]] = {"city2": prepare_city}

CASES: list[Case] = [
    Case("GET", f"{R}/report", "/campaigns/LN2014/report?city={county}", sees=(COUNTY_A, COUNTY_B)),
    Case("GET", f"{R}/report/download", "/campaigns/LN2014/report/download?city={county}&format=json",
         sees=(COUNTY_A, COUNTY_B)),
    Case("GET", f"{R}/map", "/campaigns/LN2014/map?city={county}", sees=(COUNTY_A, COUNTY_B)),
    Case("GET", f"{R}/submissions", "/campaigns/{campaign}/submissions", sees=(ALL, B), needs=("campaign",)),
    Case("GET", f"{R}/submissions/<city>", "/campaigns/LN2014/submissions/{city}", sees=(CITY_UP, CITY_B),
         needs=("city2",)),
    Case("PUT", f"{R}/submissions/<city>", "/campaigns/LN2014/submissions/{city}", sees=(CITY_UP, CITY_B),
         allowed=CITY_SUPERVISOR, needs=("city2",), body=lambda ctx, side: {"narrative": "矩阵总结"}),
    # an import names its targets inside the file: every supervisor sees community 210102001001
    Case("POST", "/api/v1/imports/<kind>", "/imports/responsibilities", sees=(ALL, ALL), allowed=SUPERVISORS,
         body=lambda ctx, side: {"content": "对象代码,责任类别,用户名\n210102001001,包保责任人,cadre\n"}),
]
