"""Evidence files over the API (domain.md §14): checked by content, at most 20 MB, stored by SHA-256 in the instance
folder or an S3 store (moto's standalone server on a loopback port), chained into the history, downloads scoped."""
from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.api_support import Api, assert_error, make_api
from workflow.db import Database

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 5000
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def local_api(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("HUANJIE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("HUANJIE_STORAGE_URL", raising=False)
    yield make_api(db)


def upload(api: Api, eid: int, content: bytes, name: str = "count.png", kind: str = "count_sheet",
           who: str = "cadre", note: str = "计票单") -> Any:
    token = api.tokens.get(who) or api.tokens.setdefault(who, api.token_for(who))
    return api.app.test_client().post(f"/api/v1/elections/{eid}/attachments", headers={
        "Authorization": f"Bearer {token}"}, data={"file": (io.BytesIO(content), name), "kind": kind, "note": note},
        content_type="multipart/form-data")


def test_an_uploaded_photo_is_stored_by_its_hash_listed_downloaded_and_chained(local_api: Api, tmp_path: Path):
    api, eid = local_api, local_api.election("a_party")
    r = upload(api, eid, PNG, name="照片.png", kind="photo")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest() and body["size"] == len(PNG)
    assert body["content_type"] == "image/png" and body["kind"] == "photo"
    stored = tmp_path / "instance" / "evidence" / body["sha256"][:2] / body["sha256"]
    assert stored.read_bytes() == PNG and not os.access(stored, os.X_OK)
    listed = api.get(f"/elections/{eid}/attachments", who="observer").get_json()
    assert [a["id"] for a in listed["items"]] == [body["id"]] and listed["items"][0]["step"] == "preparation"
    got = api.get(f"/attachments/{body['id']}", who="observer")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff" and got.headers["Content-Type"] == "image/png"
    history = api.get(f"/elections/{eid}/history?per_page=500").get_json()["items"]
    row = [h for h in history if h["action"] == "attachment_uploaded"][-1]
    assert row["data"]["sha256"] == body["sha256"] and len(row["hash"]) == 64 and isinstance(row["id"], int)
    assert api.get(f"/elections/{eid}/verify").get_json() == {
        "ok": True, "rows": len(history), "first_bad": None, "chain_ok": True, "files_bad": []}


@pytest.mark.parametrize("content,kind", [(JPEG, "image/jpeg"), (PDF, "application/pdf")])
def test_jpeg_and_pdf_are_recognized_by_their_content_whatever_their_name(local_api: Api, content, kind):
    r = upload(local_api, local_api.election("a_party"), content, name="scan.bin", kind="minutes")
    assert r.status_code == 201 and r.get_json()["content_type"] == kind


@pytest.mark.parametrize("content", [b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 64,
                                     b"MZ\x90\x00" + b"\x00" * 64, b""])
def test_anything_but_pdf_jpeg_or_png_by_content_is_refused_with_400(local_api: Api, content):
    r = upload(local_api, local_api.election("a_party"), content, name="photo.png")
    assert_error(r, 400, "invalid_request")
    assert "file" in r.get_json()["fields"]
    assert local_api.get(f"/elections/{local_api.election('a_party')}/attachments").get_json()["total"] == 0


def test_a_file_of_exactly_20_mb_is_kept_and_one_byte_more_is_refused(local_api: Api, tmp_path: Path):
    eid = local_api.election("a_party")
    limit = 20 * 1024 * 1024
    assert upload(local_api, eid, PDF + b"0" * (limit - len(PDF)), name="big.pdf").status_code == 201
    r = upload(local_api, eid, PDF + b"0" * (limit - len(PDF) + 1), name="bigger.pdf")
    assert_error(r, 400, "invalid_request")
    assert local_api.get(f"/elections/{eid}/attachments").get_json()["total"] == 1
    assert list((tmp_path / "instance" / "evidence-incoming").iterdir()) == []  # no scratch file left behind


def test_a_bad_kind_is_400_an_observer_403_and_an_election_outside_the_scope_404(local_api: Api):
    eid = local_api.election("a_party")
    assert_error(upload(local_api, eid, PNG, kind="selfie"), 400, "invalid_request")
    assert_error(upload(local_api, eid, PNG, who="observer"), 403, "forbidden")
    assert_error(upload(local_api, eid, PNG, who="othercadre"), 404, "not_found")
    assert_error(local_api.get(f"/elections/{eid}/verify", who="othercadre"), 404, "not_found")


def test_a_download_outside_the_callers_scope_is_not_found(local_api: Api):
    body = upload(local_api, local_api.election("a_party"), PNG).get_json()
    assert_error(local_api.get(f"/attachments/{body['id']}", who="othercadre"), 404, "not_found")
    assert_error(local_api.get("/attachments/999999", who="admin"), 404, "not_found")


def test_a_replaced_evidence_file_is_found_by_verification(local_api: Api, tmp_path: Path):
    from workflow.services.integrity import verify_all
    eid = local_api.election("a_party")
    body = upload(local_api, eid, PNG).get_json()
    stored = tmp_path / "instance" / "evidence" / body["sha256"][:2] / body["sha256"]
    stored.chmod(0o640)
    stored.write_bytes(PNG + b"doctored")
    result = local_api.get(f"/elections/{eid}/verify").get_json()
    history = local_api.get(f"/elections/{eid}/history?per_page=500").get_json()["items"]
    upload_row = [h["id"] for h in history if h["action"] == "attachment_uploaded"][0]
    assert result["ok"] is False and result["chain_ok"] is True and result["first_bad"] == upload_row
    assert result["files_bad"][0]["attachment"] == body["id"] and result["files_bad"][0]["problem"] == "content"
    with local_api.db.uow(write=False) as w:
        assert verify_all(w)["ok"] is False


# --- S3 ----------------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's standalone S3 server (moto[server] from PyPI) on a free loopback port, as a process of its own."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto server did not start")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def s3_api(db: Database, s3_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import boto3
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", s3_server),
                        ("HUANJIE_INSTANCE", str(tmp_path / "instance")),
                        ("HUANJIE_STORAGE_URL", "s3://huanjie-evidence/liaoning")):
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server)
    if "huanjie-evidence" not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket="huanjie-evidence")
    yield make_api(db), client


def test_with_an_s3_store_files_go_to_the_bucket_under_their_hash_and_a_replaced_object_is_found(s3_api, tmp_path):
    api, client = s3_api
    eid = api.election("a_party")
    body = upload(api, eid, JPEG, name="count.jpg").get_json()
    key = f"liaoning/{body['sha256'][:2]}/{body['sha256']}"
    assert client.get_object(Bucket="huanjie-evidence", Key=key)["Body"].read() == JPEG
    assert not (tmp_path / "instance" / "evidence").exists()
    got = api.get(f"/attachments/{body['id']}", who="observer")
    assert got.status_code == 200 and got.data == JPEG and got.headers["X-Content-Type-Options"] == "nosniff"
    assert api.get(f"/elections/{eid}/verify").get_json()["ok"] is True
    client.put_object(Bucket="huanjie-evidence", Key=key, Body=JPEG[:-10] + b"doctored!!")
    result = api.get(f"/elections/{eid}/verify").get_json()
    assert result["ok"] is False and result["files_bad"][0]["problem"] == "content"
    client.delete_object(Bucket="huanjie-evidence", Key=key)
    assert api.get(f"/elections/{eid}/verify").get_json()["files_bad"][0]["problem"] == "missing"
    assert_error(api.get(f"/attachments/{body['id']}"), 404, "not_found")
