"""Importers of users and responsibilities (三包三保); passwords are hashed, never exported."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..auth import may_administer, require
from ..clock import now
from ..models import Community, Region, Responsibility, User
from ..passwords import MIN_LENGTH, hash_password
from ..services.common import community_scope, region_scope
from .columns import MISSING
from .engine import Importer
from .kinds import RESPONSIBILITIES, USERS
from .structure import chunks


def user_defaults() -> dict[str, Any]:
    """The column defaults of a new user (Core multi-row inserts do not apply the model's defaults)."""
    stamp = now()
    return {"language": "zh", "active": True, "failed_logins": 0, "password_changed_at": stamp, "created_at": stamp}


def given(rec: dict[str, Any], key: str) -> bool:
    """Return whether the file has the column and the cell is filled."""
    return rec.get(key, MISSING) not in (MISSING, None)


class UserImporter(Importer):
    """Users: created with their initial password; existing users get role, scope, name and e-mail updated."""

    kind = "users"
    columns = USERS
    batch_size = 500

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        require(may_administer(self.actor))
        self.regions = {c: i for c, i in self.s.execute(select(Region.code, Region.id).where(region_scope(self.actor)))}
        self.visible = set(self.regions.values())
        self.seen: dict[str, int] = {}

    def check(self, row: int, rec: dict[str, Any]) -> bool:
        ok = "username" in rec and "role" in rec and "scope" in rec
        if "username" in rec:
            first = self.seen.setdefault(rec["username"].lower(), row)
            if first != row:
                self.problem(row, "username", f"duplicate user name: already on row {first}",
                             f"用户名重复：与第{first}行相同")
                ok = False
        if "role" not in rec or "scope" not in rec:
            return False
        if rec["role"] == "admin" and not self.actor.is_admin:
            self.problem(row, "role", "only an administrator may create administrators", "只有系统管理员可以创建系统管理员")
            ok = False
        if given(rec, "scope"):
            if rec["scope"] not in self.regions:
                self.problem(row, "scope", f"unknown region code “{rec['scope']}”", f"区域代码“{rec['scope']}”不存在")
                ok = False
        elif rec["role"] != "admin":
            self.problem(row, "scope", "is required for this role", "该角色必须填写管辖区域")
            ok = False
        return ok

    def flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        existing: dict[str, Any] = {}
        for part in chunks([rec["username"] for _, rec in batch]):
            for u in self.s.execute(select(User.id, User.username, User.display_name, User.role, User.scope_id,
                                           User.email).where(User.username.in_(part))):
                existing[u.username] = u
        inserts, updates = [], []
        for row, rec in batch:
            old = existing.get(rec["username"])
            if old is not None and not self.actor.is_admin and (old.role == "admin" or old.scope_id not in self.visible):
                self.problem(row, "username", "this user name belongs to a user outside your scope",
                             "该用户名已被您管辖范围以外的用户使用")
                continue
            values = {"role": rec["role"],
                      "scope_id": self.regions[rec["scope"]] if given(rec, "scope") else None,
                      "display_name": rec["display_name"] if given(rec, "display_name") else (
                          old.display_name if old is not None and rec.get("display_name") is MISSING
                          else rec["username"]),
                      "email": (old.email if old is not None else None) if rec.get("email", MISSING) is MISSING
                      else rec["email"]}
            if old is None:
                password = rec.get("password")
                if password in (MISSING, None):
                    self.problem(row, "password", "is required for a new user", "新用户必须填写初始密码")
                    continue
                if len(password) < MIN_LENGTH:
                    self.problem(row, "password", f"must be at least {MIN_LENGTH} characters", f"至少{MIN_LENGTH}个字符")
                    continue
                inserts.append({"username": rec["username"], "password": password, **values})
            else:
                self.compare(old, values, updates)
        self.write(User, inserts, updates, lambda rows: [
            {**{k: v for k, v in r.items() if k != "password"}, "password_hash": hash_password(r["password"]),
             **user_defaults()} for r in rows])


class ResponsibilityImporter(Importer):
    """Responsibilities: who answers for a region or community (contact), a region's first / direct persons."""

    kind = "responsibilities"
    columns = RESPONSIBILITIES

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        require(may_administer(self.actor))
        self.regions = {c: i for c, i in self.s.execute(select(Region.code, Region.id).where(region_scope(self.actor)))}
        self.users = {u: i for u, i in self.s.execute(select(User.username, User.id))}
        self.seen: dict[tuple[str, str], int] = {}

    def check(self, row: int, rec: dict[str, Any]) -> bool:
        ok = "target" in rec and "kind" in rec
        if rec.get("kind") is MISSING or ("kind" in rec and rec["kind"] is None):
            rec["kind"] = "contact"
        if ok:
            first = self.seen.setdefault((rec["target"], rec["kind"]), row)
            if first != row:
                self.problem(row, "target", f"this target and kind are already on row {first}",
                             f"同一对象的同类责任人已在第{first}行填写")
                ok = False
        if "username" not in rec:
            return False
        if rec["username"] not in self.users:
            self.problem(row, "username", f"unknown user “{rec['username']}”", f"用户“{rec['username']}”不存在")
            ok = False
        return ok

    def flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        targets = sorted({rec["target"] for _, rec in batch})
        communities: dict[str, int] = {}
        for part in chunks([t for t in targets if t not in self.regions]):
            communities.update((c, i) for c, i in self.s.execute(select(Community.code, Community.id).where(
                Community.code.in_(part), community_scope(self.actor))))
        existing: dict[tuple[str, str], Any] = {}
        for part in chunks(targets):
            for r in self.s.execute(select(Responsibility.id, Responsibility.target_code, Responsibility.kind,
                                           Responsibility.user_id, Responsibility.region_id,
                                           Responsibility.community_id).where(Responsibility.target_code.in_(part))):
                existing[(r.target_code, r.kind)] = r
        inserts, updates = [], []
        for row, rec in batch:
            target = rec["target"]
            if target not in self.regions and target not in communities:
                self.problem(row, "target", f"unknown region or community code “{target}”",
                             f"区域或社区代码“{target}”不存在")
                continue
            values = {"region_id": self.regions.get(target), "community_id": communities.get(target),
                      "user_id": self.users[rec["username"]]}
            old = existing.get((target, rec["kind"]))
            if old is None:
                inserts.append({"target_code": target, "kind": rec["kind"], **values})
            else:
                self.compare(old, values, updates)
        self.write(Responsibility, inserts, updates)
