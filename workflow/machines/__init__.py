"""Machine definitions, one module per body, declared as data; one shared Machine per definition."""
from __future__ import annotations

from .base import Definition, MachineRunner, MAIN_PATH, ACTIVE_STATES, TRIGGER_ROLES
from . import party, residents

DEFINITIONS: dict[str, Definition] = {"party": party.DEFINITION, "residents": residents.DEFINITION}
_RUNNERS: dict[str, MachineRunner] = {body: MachineRunner(d) for body, d in DEFINITIONS.items()}


def runner(body: str) -> MachineRunner:
    """Return the shared runner of a body's machine (built once per process)."""
    return _RUNNERS[body]


ALL_TRIGGERS: frozenset[str] = frozenset(t["trigger"] for d in DEFINITIONS.values() for t in d.transitions)

__all__ = ["DEFINITIONS", "runner", "Definition", "MachineRunner", "MAIN_PATH", "ACTIVE_STATES",
           "TRIGGER_ROLES", "ALL_TRIGGERS"]
