"""The JSON log format and the filter below it: id numbers masked, tokens, passwords and sessions hidden."""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys

from workflow.identity import make_id_number, mask_id_number
from workflow.logs import REQUEST_ID, JsonFormatter, redact


def test_an_id_number_is_masked_and_a_longer_digit_run_is_left_alone() -> None:
    number = make_id_number("210102", dt.date(1980, 5, 1), 7)
    assert redact(f"voter {number} refused") == f"voter {mask_id_number(number)} refused"
    assert redact(f"order 9{number}") == f"order 9{number}"
    assert redact(number.lower()) == mask_id_number(number.lower())


def test_bearer_tokens_passwords_and_session_values_are_hidden() -> None:
    text = redact('Authorization: Bearer abc.DEF-123_x password=hunter2 {"token": "t0k3n", "session": "s3"}')
    assert "abc.DEF-123_x" not in text and "hunter2" not in text and "t0k3n" not in text and "s3\"" not in text
    assert "Bearer ***" in text and "password=***" in text


def test_a_record_is_one_json_line_with_the_request_id_extra_fields_and_the_traceback() -> None:
    REQUEST_ID.set("rid-123456789")
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.LogRecord("huanjie.x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info())
    record.route = "/a"
    line = JsonFormatter().format(record)
    REQUEST_ID.set("")
    assert "\n" not in line
    data = json.loads(line)
    assert (data["msg"], data["level"], data["request_id"], data["route"]) == ("failed here", "error",
                                                                               "rid-123456789", "/a")
    assert "ValueError: bad" in data["traceback"]
