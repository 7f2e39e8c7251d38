"""Who may do what: actors, region scopes and the permission table of api.md (pure, no database)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .errors import Forbidden
from .facts import FACTS
from .machines import TRIGGER_ROLES

ROLES = ("admin", "supervisor", "cadre", "inspector", "observer", "reviewer")
LEVELS = ("province", "city", "county", "street")


@dataclass(frozen=True)
class Actor:
    """The user a service acts for; scope_level None with role admin means everywhere."""

    user_id: Optional[int]
    username: str
    role: str
    scope_id: Optional[int] = None
    scope_level: Optional[str] = None
    language: str = "zh"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def city_or_above(self) -> bool:
        """A supervisor scoped to a city or the province (or an admin)."""
        return self.is_admin or (self.role == "supervisor" and self.scope_level in ("province", "city"))

    @property
    def county_or_above(self) -> bool:
        return self.is_admin or (self.role == "supervisor" and self.scope_level in ("province", "city", "county"))

    def sees_everything(self) -> bool:
        return self.is_admin and self.scope_id is None


SYSTEM = Actor(None, "system", "admin")


def may_fire(actor: Actor, trigger: str) -> bool:
    """Return whether the actor's role may fire the trigger (domain.md §3; admin: any but void_result)."""
    if actor.is_admin:
        return trigger != "void_result"
    allowed = TRIGGER_ROLES.get(trigger, ())
    if "supervisor_city" in allowed and actor.city_or_above:
        return True
    return actor.role in allowed


def require(condition: bool) -> None:
    """Raise Forbidden unless condition holds."""
    if not condition:
        raise Forbidden()


def may_edit_election(actor: Actor) -> bool:
    """Facts, seats, candidates, rounds, certificates: cadres, supervisors, admins."""
    return actor.role in ("admin", "supervisor", "cadre")


def may_record_fact(actor: Actor, key: str) -> bool:
    """Supervisor facts need a supervisor; inspection_accepted one at city level or above."""
    if not may_edit_election(actor):
        return False
    recorder = FACTS[key].recorder if key in FACTS else "any"
    if recorder == "supervisor":
        return actor.role in ("supervisor", "admin")
    if recorder == "supervisor_city":
        return actor.city_or_above
    return True


def may_file_complaint(actor: Actor) -> bool:
    return actor.role in ("admin", "supervisor", "cadre", "inspector")


def may_resolve_complaint(actor: Actor) -> bool:
    return actor.role in ("admin", "supervisor", "inspector")


def may_report(actor: Actor) -> bool:
    """Dossiers and incident reports: cadres, supervisors, admins."""
    return actor.role in ("admin", "supervisor", "cadre")


def may_administer(actor: Actor) -> bool:
    """Regions, communities, users, responsibilities, campaigns: admins and supervisors in scope."""
    return actor.role in ("admin", "supervisor")
