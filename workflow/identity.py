"""Resident identity numbers (居民身份证号码, GB 11643-1999): validation, masking, keyed hash (domain.md §9).

The full number is personal information (个人信息保护法): callers keep only `id_hash()` and `mask_id_number()`
and never log, store or return the number itself.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: remainder -> check character
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


class InvalidIdNumber(ValueError):
    """An identity number that GB 11643 does not allow; the message never repeats the number."""


def check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def birth_date_of(number: str) -> dt.date:
    """Return the birth date encoded in a (shape-valid) number."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_id_number(raw: object) -> str:
    """Return the normalized number (upper-case X), or raise InvalidIdNumber naming what is wrong."""
    if not isinstance(raw, str):
        raise InvalidIdNumber("not_text")
    number = raw.strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber("length")
    if not _SHAPE.match(number):
        raise InvalidIdNumber("characters")
    try:
        born = birth_date_of(number)
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if born.year < 1900 or born > dt.date.today():
        raise InvalidIdNumber("birth_date")
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("check_digit")
    return number


PROBLEM_TEXT = {
    "not_text": ("身份证号必须是文字", "the id number must be a string"),
    "length": ("身份证号应为18位", "an id number has 18 characters"),
    "characters": ("身份证号只能由数字和末位X组成", "an id number is 17 digits and a digit or X"),
    "birth_date": ("身份证号中的出生日期无效", "the birth date inside the id number is not a valid date"),
    "check_digit": ("身份证号校验位不正确", "the id number's check digit is wrong"),
}


def mask_id_number(number: str) -> str:
    """Return the masked form shown everywhere: the first 6 and last 4 characters (210102********123X)."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def id_hash(key: bytes, number: str) -> str:
    """Return the keyed hash (HMAC-SHA-256, hex) that links records of one person without keeping the number."""
    return hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()


def make_id_number(region: str, born: dt.date, sequence: int) -> str:
    """Return a valid number for demo and test data: region (6 digits), birth date, 3-digit sequence."""
    first17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
