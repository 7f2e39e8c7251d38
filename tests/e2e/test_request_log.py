"""One JSON log line per request (request id, user id, route, status, duration), the request id in the response
header and on error pages, tracebacks in the log and never to the client, and no password, token or id number
in the log after an election walk and a voter-roll import."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.e2e.api_support import Api, api  # noqa: F401
from tests.e2e.roll_support import Roll, person_body, roll  # noqa: F401
from tests.e2e.test_api_script import test_a_party_election_is_scripted_from_preparation_to_closed_over_the_api as walk
from tests.support import PASSWORD
from workflow.identity import make_id_number, mask_id_number
from workflow.logs import JsonFormatter
from workflow.models import User


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Everything this process logs, as the JSON lines `huanjie serve` writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def requests_in(log: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.getvalue().splitlines() if '"logger": "huanjie.request"' in line]


def test_every_request_writes_one_json_line_with_its_request_id_user_route_status_and_duration(
        api: Api, log: io.StringIO) -> None:  # noqa: F811
    r = api.call("GET", "/me", "cadre")
    assert r.get_json()["username"] == "cadre"
    with api.db.uow() as w:
        uid = w.session.scalar(select(User.id).where(User.username == "cadre"))
    lines = [x for x in requests_in(log) if x["request_id"] == r.headers["X-Request-Id"]]
    assert len(lines) == 1
    line = lines[0]
    assert (line["route"], line["method"], line["status"], line["user_id"]) == ("/api/v1/me", "GET", 200, uid)
    assert line["duration_ms"] >= 0 and line["path"] == "/api/v1/me"
    anonymous = api.app.test_client().get("/nowhere")
    anonymous.get_data()
    line = next(x for x in requests_in(log) if x["request_id"] == anonymous.headers["X-Request-Id"])
    assert (line["route"], line["status"], line["user_id"]) == ("unmatched", 404, None)
    assert anonymous.headers["X-Request-Id"] in anonymous.get_data(as_text=True)  # the error page shows it


def test_a_proxy_request_id_is_kept_and_a_strange_one_replaced(api: Api) -> None:  # noqa: F811
    client = api.app.test_client()
    assert client.get("/healthz", headers={"X-Request-Id": "nginx-0123456789abcdef"}).headers["X-Request-Id"] \
        == "nginx-0123456789abcdef"
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert odd != "<script>" and len(odd) == 32


def test_a_failure_logs_its_traceback_and_answers_only_the_request_id(api: Api, log: io.StringIO) -> None:  # noqa: F811
    number = make_id_number("210102", dt.date(1975, 3, 9), 17)
    secret = "tok_ABCdef0123456789xyz"

    def boom() -> Any:
        raise RuntimeError(f"lookup of {number} failed, Authorization: Bearer {secret}, password={PASSWORD}")
    api.app.add_url_rule("/api/v1/boom-for-test", "boom_api", boom)
    api.app.add_url_rule("/boom-for-test", "boom_page", boom)
    api.app.config["PROPAGATE_EXCEPTIONS"] = False
    client = api.app.test_client()
    r = client.get("/api/v1/boom-for-test")
    body = r.get_json()
    assert r.status_code == 500 and body["error"] == "internal_error" and body["request_id"] == r.headers["X-Request-Id"]
    assert "RuntimeError" not in r.get_data(as_text=True) and number not in r.get_data(as_text=True)
    page = client.get("/boom-for-test")
    text = page.get_data(as_text=True)
    assert page.status_code == 500 and page.headers["X-Request-Id"] in text
    assert "Traceback" not in text and "RuntimeError" not in text and number not in text
    logged = log.getvalue()
    errors = [json.loads(line) for line in logged.splitlines() if '"level": "error"' in line]
    assert {e["request_id"] for e in errors} == {r.headers["X-Request-Id"], page.headers["X-Request-Id"]}
    assert all("Traceback" in e["traceback"] and "RuntimeError" in e["traceback"] for e in errors)
    assert mask_id_number(number) in logged
    assert number not in logged and secret not in logged and PASSWORD not in logged


class RecordingClient(FlaskClient):
    """A test client that keeps every token the API hands out (to look for it in the log afterwards)."""

    issued: list[str] = []

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if response.request.path == "/api/v1/auth/token" and response.status_code == 200:
            self.issued.append(response.get_json()["token"])
        return response


def test_a_walked_election_and_a_roll_import_leave_no_password_token_or_id_number_in_the_log(
        roll: Roll, log: io.StringIO) -> None:  # noqa: F811
    app = roll.api.app
    app.test_client_class = RecordingClient
    RecordingClient.issued = []
    app.config["WTF_CSRF_ENABLED"] = False
    ui = app.test_client()
    assert ui.post("/login", data={"username": "cadre", "password": PASSWORD}).status_code == 302
    wrong = "Wrong-pass-3172"
    assert ui.post("/login", data={"username": "street", "password": wrong}).status_code == 401
    walk(roll.api)  # a party election from preparation to closed, signing in with passwords over the API

    e = roll.prepare()
    numbers = []
    for n in range(1, 4):
        person = person_body(n=n)
        numbers.append(person["id_number"])
        roll.register(e, **person)
    header = "姓名,性别,出生日期,身份证号,户,居民小组,类别,居住起始日期\n"
    imported = [make_id_number("210102", dt.date(1970, 1, 1), n) for n in range(41, 44)]
    numbers += imported
    rows = [f"张{n},男,,{number},H{n},一组,户籍," for n, number in zip(range(41, 44), imported)]
    token = roll.api.token_for("cadre")
    bad = app.test_client().post(f"/api/v1/elections/{e}/voters/import?filename=roll.csv",
                                 data=(header + "\n".join(rows + [rows[0].replace("张41", "李41")]) + "\n").encode(),
                                 headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400  # a duplicate id number in the file: rejected, row by row
    good = app.test_client().post(f"/api/v1/elections/{e}/voters/import?filename=roll.csv",
                                  data=(header + "\n".join(rows) + "\n").encode(),
                                  headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200 and good.get_json()["imported"] == 3
    listed = app.test_client().get(f"/api/v1/elections/{e}/voters?q={numbers[0]}",
                                   headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code in (200, 400)
    listed.get_data()

    logged = log.getvalue()
    lines = requests_in(log)
    # (the test client records a request once its body is read: not every response above is read)
    assert len(lines) > 20 and all(x["request_id"] for x in lines)
    routes = {x["route"] for x in lines}
    assert "/api/v1/auth/token" in routes and any(r.endswith("/voters/import") for r in routes)
    tokens = RecordingClient.issued + list(roll.api.tokens.values()) + [token]
    assert len(RecordingClient.issued) >= 3
    for secret in [PASSWORD, wrong, *tokens, *numbers]:
        assert secret not in logged, secret
