"""Domain errors, named in the domain's words; entry points map them to responses."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unmet:
    """One failing guard: stable code, messages in both languages and the legal source."""

    code: str
    zh: str
    en: str
    source: str = ""

    def message(self, lang: str = "zh") -> str:
        """Return the message in the given language (zh default)."""
        return self.en if lang.startswith("en") else self.zh

    def as_dict(self, lang: str = "zh") -> dict[str, str]:
        """Return the contract form {code, message}."""
        return {"code": self.code, "message": self.message(lang), "source": self.source}


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    code = "domain_error"
    zh = "操作失败"
    en = "The operation failed"

    def __init__(self, en: str | None = None, zh: str | None = None, **extra: Any) -> None:
        self.en_text = en or self.en
        self.zh_text = zh or self.zh
        self.extra = extra
        super().__init__(self.en_text)

    def message(self, lang: str = "zh") -> str:
        """Return the message in the given language."""
        return self.en_text if lang.startswith("en") else self.zh_text


class NotFound(DomainError):
    """The thing does not exist, or lies outside the caller's scope (never say which)."""

    code = "not_found"
    zh = "未找到"
    en = "Not found"


OutOfScope = NotFound


@dataclass
class FieldProblems:
    """Problems per input field, in both languages."""

    items: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, name: str, en: str, zh: str) -> None:
        self.items.setdefault(name, (en, zh))

    def __bool__(self) -> bool:
        return bool(self.items)


class InvalidRequest(DomainError):
    """Input that cannot be accepted: wrong type, unknown key, impossible count."""

    code = "invalid_request"
    zh = "请求内容有误"
    en = "The request is invalid"

    def __init__(self, problems: FieldProblems | dict[str, tuple[str, str]] | None = None,
                 en: str | None = None, zh: str | None = None) -> None:
        if isinstance(problems, FieldProblems):
            problems = problems.items
        self.problems: dict[str, tuple[str, str]] = dict(problems or {})
        if not en and self.problems:
            en = "; ".join(f"{k}: {v[0]}" for k, v in self.problems.items())
            zh = "；".join(f"{k}：{v[1]}" for k, v in self.problems.items())
        super().__init__(en, zh)

    def fields(self, lang: str = "zh") -> dict[str, str]:
        """Return {field: problem} in the given language."""
        idx = 0 if lang.startswith("en") else 1
        return {k: v[idx] for k, v in self.problems.items()}

    @classmethod
    def one(cls, name: str, en: str, zh: str) -> "InvalidRequest":
        """Build an error about one field."""
        return cls({name: (en, zh)})


class Forbidden(DomainError):
    """Authenticated, but the role may not do this."""

    code = "forbidden"
    zh = "您的角色无权进行此操作"
    en = "Your role may not do this"


class InvalidTrigger(DomainError):
    """The trigger exists but is not valid from the current state."""

    code = "invalid_trigger"
    zh = "当前阶段不能进行此操作"
    en = "This step is not possible from the current state"


class VersionConflict(DomainError):
    """Someone changed the election since the caller read it."""

    code = "version_conflict"
    zh = "该选举已被他人修改，请刷新后重试"
    en = "The election was changed by someone else; reload and try again"


class GuardsFailed(DomainError):
    """One or more guards do not hold; carries every unmet guard."""

    code = "guard_failed"
    zh = "条件未满足"
    en = "Conditions are not met"

    def __init__(self, unmet: list[Unmet]) -> None:
        self.unmet = list(unmet)
        super().__init__(
            "Conditions are not met: " + ", ".join(u.code for u in self.unmet),
            "条件未满足：" + "；".join(u.zh for u in self.unmet),
        )


class InvalidState(DomainError):
    """The operation is not possible in the current state."""

    code = "invalid_state"
    zh = "当前状态下不能进行此操作"
    en = "Not possible in the current state"


class Duplicate(DomainError):
    """A unique value (certificate serial, code, username) is already used."""

    code = "duplicate"
    zh = "该编号已被使用"
    en = "Already used"


DuplicateSerial = Duplicate
