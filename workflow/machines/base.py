"""What both machines share: the main path, the off-path triggers and the shared runner."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from transitions import Machine

MAIN_PATH: tuple[str, ...] = ("preparation", "nomination", "candidate_meeting", "voting",
                              "certification", "handover", "summary", "closed")
ACTIVE_STATES: tuple[str, ...] = MAIN_PATH[:-1]
#: the trigger that leaves each state on the main path
LEAVING: dict[str, str] = {
    "preparation": "open_nomination",
    "nomination": "open_candidate_meeting",
    "candidate_meeting": "open_voting",
    "voting": "announce_result",
    "certification": "certify",
    "handover": "complete_handover",
    "summary": "accept_summary",
}
#: who may fire each trigger (domain.md §3); 'supervisor_city' = supervisor scoped to a city or the province
TRIGGER_ROLES: dict[str, tuple[str, ...]] = {
    **{t: ("cadre", "supervisor") for t in LEAVING.values() if t != "accept_summary"},
    "another_round": ("cadre", "supervisor"),
    "revote": ("cadre", "supervisor"),
    "accept_summary": ("supervisor_city",),
    "suspend": ("supervisor",),
    "resume": ("supervisor",),
    "apply_village_law": ("supervisor",),
    "void_result": ("supervisor", "inspector"),
}


@dataclass(frozen=True)
class Definition:
    """A machine declared as data: states, transitions (with guard codes) and the initial state."""

    body: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[dict[str, Any], ...]
    #: triggers that are never offered among an election's transitions nor fired directly
    internal: frozenset[str] = field(default_factory=lambda: frozenset({"void_result"}))

    def guards(self, trigger: str) -> tuple[str, ...]:
        """Return the guard codes of a trigger."""
        for t in self.transitions:
            if t["trigger"] == trigger:
                return tuple(t.get("guards", ()))
        return ()

    def triggers_from(self, state: str) -> list[dict[str, Any]]:
        """Return the transitions whose source includes state, in declaration order."""
        out = []
        for t in self.transitions:
            sources = t["source"] if isinstance(t["source"], (list, tuple)) else [t["source"]]
            if state in sources:
                out.append(t)
        return out

    def states_from(self, state: str) -> list[str]:
        """Return state and every later main-path state (for clearing facts on re-entry)."""
        return list(MAIN_PATH[MAIN_PATH.index(state):]) if state in MAIN_PATH else [state]


def main_and_off_path(body: str, guards: dict[str, tuple[str, ...]]) -> tuple[dict[str, Any], ...]:
    """Build the transition list of a body from its guard codes per trigger."""
    rows: list[dict[str, Any]] = []
    for src, trig in LEAVING.items():
        dest = MAIN_PATH[MAIN_PATH.index(src) + 1]
        rows.append({"trigger": trig, "source": src, "dest": dest, "guards": guards.get(trig, ())})
    rows.append({"trigger": "another_round", "source": "voting", "dest": "voting",
                 "guards": ("round_valid", "seats_unfilled")})
    rows.append({"trigger": "revote", "source": "voting", "dest": "voting", "guards": ("round_invalid",)})
    rows.append({"trigger": "suspend", "source": list(ACTIVE_STATES), "dest": "suspended", "guards": ()})
    for state in ACTIVE_STATES:
        rows.append({"trigger": "resume", "source": "suspended", "dest": state, "guards": (),
                     "resumes_to": state})
    # rev. 2: also from closed (the notice sets no time limit on 当选无效); the election is then accepted again
    rows.append({"trigger": "void_result", "source": ["certification", "handover", "summary", "closed"],
                 "dest": "voting", "guards": ()})
    if body == "residents":
        rows.append({"trigger": "apply_village_law", "source": "preparation", "dest": "preparation",
                     "guards": ("village_law_applicable",)})
    return tuple(rows)


class Carrier:
    """A throw-away model the shared machine moves; never kept by the machine."""

    def __init__(self, state: str, check: Callable[[str], bool], resumes_to: str | None) -> None:
        self.state = state
        self.check = check
        self.resumes_to = resumes_to


class MachineRunner:
    """One `transitions.Machine` per definition, shared by every election of that body."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        rows = []
        for t in definition.transitions:
            row = {k: v for k, v in t.items() if k in ("trigger", "source", "dest")}
            conds: list[Callable[..., bool]] = [self._guards_hold]
            if "resumes_to" in t:
                target = t["resumes_to"]
                conds.append(lambda event, target=target: event.model.resumes_to == target)
            row["conditions"] = conds
            rows.append(row)
        self.machine = Machine(model=None, states=list(definition.states), transitions=rows,
                               initial=definition.initial, auto_transitions=False, send_event=True,
                               ignore_invalid_triggers=False)

    @staticmethod
    def _guards_hold(event: Any) -> bool:
        return bool(event.model.check(event.event.name))

    def can_fire(self, state: str, trigger: str) -> bool:
        """Return whether trigger has a transition from state."""
        return any(t["trigger"] == trigger for t in self.definition.triggers_from(state))

    def fire(self, state: str, trigger: str, check: Callable[[str], bool],
             resumes_to: str | None = None) -> str | None:
        """Fire trigger from state through the shared machine; return the new state or None if refused."""
        carrier = Carrier(state, check, resumes_to)
        ok = self.machine.events[trigger].trigger(carrier)
        return carrier.state if ok else None

    def dest(self, state: str, trigger: str, resumes_to: str | None = None) -> str | None:
        """Return where trigger leads from state (without firing)."""
        for t in self.definition.triggers_from(state):
            if t["trigger"] == trigger and t.get("resumes_to", resumes_to) == resumes_to:
                return str(t["dest"])
        return None
