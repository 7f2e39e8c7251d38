"""The papers section of the election page (upload from a phone, listed per step) and the history page with the
chain's state (✓ verified / ✗ broken at row N) and the digest, in Chinese and English."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.integration.test_history_chain import rows_of, tamper, triggers
from tests.ui.conftest import text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


@pytest.fixture(autouse=True)
def _instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUANJIE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("HUANJIE_STORAGE_URL", raising=False)


def test_the_papers_section_offers_the_camera_and_a_file_and_lists_an_upload_under_its_step(ui, world):
    cadre = ui("cadre")
    eid = world.elections["a_party"]
    page = text(cadre.get(f"/elections/{eid}"))
    assert 'id="papers"' in page and 'enctype="multipart/form-data"' in page
    assert 'accept="image/*" capture="environment"' in page and 'accept="image/*,application/pdf"' in page
    r = cadre.post(f"/elections/{eid}/attachments", {"kind": "photo", "note": "唱票现场",
                                                     "photo": (io.BytesIO(PNG), "IMG_0001.png")},
                   content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith("#papers")
    page = text(cadre.get(f"/elections/{eid}"))
    assert "IMG_0001.png" in page and "计票现场照片" in page and "准备阶段" in page
    link = f"/attachments/{[r.data['attachment'] for r in rows_of(world.db, eid) if r.action == 'attachment_uploaded'][0]}"
    got = cadre.get(link)
    assert got.status_code == 200 and got.data == PNG and got.headers["X-Content-Type-Options"] == "nosniff"
    assert ui("othercadre").get(link).status_code == 404


def test_a_file_that_is_not_a_paper_is_refused_on_the_page_with_400(ui, world):
    cadre = ui("cadre")
    eid = world.elections["a_party"]
    r = cadre.post(f"/elections/{eid}/attachments", {"kind": "photo", "file": (io.BytesIO(b"<svg onload=x>"), "a.png")},
                   content_type="multipart/form-data")
    assert r.status_code == 400
    assert "PDF、JPEG 或 PNG" in text(r)
    assert ui("observer").post(f"/elections/{eid}/attachments", {"kind": "photo", "file": (io.BytesIO(PNG), "a.png")},
                               content_type="multipart/form-data").status_code == 403


def test_the_history_page_shows_verified_then_broken_at_the_row_changed_behind_the_applications_back(ui, world):
    from workflow.services.integrity import daily_check
    with world.db.uow() as uow:
        daily_check(uow.session)
    cadre = ui("cadre")
    eid = world.elections["a_party"]
    cadre.post(f"/elections/{eid}/attachments", {"kind": "count_sheet", "file": (io.BytesIO(PNG), "计票单.png")},
               content_type="multipart/form-data")
    page = text(cadre.get(f"/elections/{eid}/history"))
    assert "✓ 已校验" in page and "计票单.png" in page and "摘要" in page
    victim = rows_of(world.db, eid)[0]
    try:
        tamper(world.db, "UPDATE audit_events SET actor = 'nobody' WHERE id = :id", id=victim.id)
        page = text(cadre.get(f"/elections/{eid}/history"))
        assert f"✗ 在第 {victim.id} 条记录处断开" in page
        english = ui("cadre")
        english.post("/language", {"lang": "en"})
        assert f"✗ Broken at row {victim.id}" in text(english.get(f"/elections/{eid}/history"))
    finally:
        triggers(world.db, on=True)
