"""The UI forms apply the text rule of the API and the importers (issue 12, High 2; first failing on main)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.ui.conftest import text
from workflow.models import Dossier


def dossiers(world) -> int:
    with world.db.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Dossier)))


@pytest.mark.parametrize("cause", ["x\x0by", "x\x01y", "x\x7fy", "x\x85y"])
def test_a_control_character_in_a_dossier_cause_is_refused_with_a_400_and_nothing_stored(ui, world, cause):
    cadre = ui("cadre")
    r = cadre.post("/notices/dossiers", {"new-community": "210102001001", "new-cause": cause,
                                         "new-due_on": "2014-12-20"})
    assert r.status_code == 400
    assert "控制字符" in text(r)
    assert dossiers(world) == 0


def test_a_line_break_is_refused_in_a_one_line_field_but_kept_in_a_text_area(ui, world):
    cadre = ui("cadre")
    r = cadre.post("/notices/dossiers", {"new-community": "210102001001", "new-cause": "人手\r\n不足",
                                         "new-due_on": "2014-12-20", "new-stationed_cadre": "王\n五"})
    assert r.status_code == 400 and "只能是一行文字" in text(r)
    r = cadre.post("/notices/dossiers", {"new-community": "210102001001", "new-cause": "人手\r\n不足",
                                         "new-due_on": "2014-12-20"})
    assert r.status_code in (200, 302), text(r)[:300]
    with world.db.uow(write=False) as uow:
        assert uow.session.scalars(select(Dossier.cause)).one() == "人手\n不足"  # CRLF from the browser as LF
