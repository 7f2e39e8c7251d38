"""GB 11643 identity numbers: check digit, birth date, masking, keyed hash (domain.md §9)."""
from __future__ import annotations

import datetime as dt

import pytest

from workflow.identity import (InvalidIdNumber, check_digit, id_hash, make_id_number, mask_id_number,
                               validate_id_number)

VALID = "11010519491231002X"  # the standard's own example


def test_the_standards_example_number_is_valid() -> None:
    assert validate_id_number(VALID) == VALID


def test_a_lower_case_x_is_accepted_and_normalized() -> None:
    assert validate_id_number(VALID.lower()) == VALID


@pytest.mark.parametrize("raw, problem", [
    ("110105194912310021", "check_digit"),
    ("11010519491232002X", "birth_date"),
    ("11010519490230002" + check_digit("11010519490230002"), "birth_date"),
    ("11010519491231002", "length"),
    ("11010519491231002XX", "length"),
    ("1101051949123100AX", "characters"),
    ("01010519491231002X", "characters"),
    (110105194912310021, "not_text"),
])
def test_a_bad_number_is_refused_with_its_problem(raw: object, problem: str) -> None:
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(raw)
    assert str(info.value) == problem
    assert "19491231" not in str(info.value)


def test_generated_numbers_validate() -> None:
    for seq in range(50):
        number = make_id_number("210102", dt.date(1980, 2, 29), seq)
        assert validate_id_number(number) == number


def test_the_mask_keeps_six_and_four() -> None:
    assert mask_id_number(VALID) == "110105********002X"


def test_the_hash_is_keyed() -> None:
    assert id_hash(b"a", VALID) == id_hash(b"a", VALID)
    assert id_hash(b"a", VALID) != id_hash(b"b", VALID)
    assert VALID not in id_hash(b"a", VALID)
