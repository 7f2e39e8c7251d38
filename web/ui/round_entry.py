"""The round form's variable parts: votes per candidate, write-ins and polling places, read from the posted form."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping, Optional

from flask_babel import gettext as _

#: blank rows offered for write-ins (另选他人), in the totals and in each polling place
WRITE_IN_ROWS = 3
#: the most polling places one form offers (中心会场, 投票站, 流动票箱)
MAX_STATIONS = 12
BALLOTS = ("ballots_issued", "ballots_returned", "ballots_invalid")


def payload_digest(payload: Mapping[str, Any]) -> str:
    """A digest of exactly what would be recorded, so that "record" confirms what was previewed."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class RoundEntry:
    """What the round form posted beyond its fixed fields, with a message per field that is not a count."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}
        self.stations = self._station_count(form.get("stations", "0"))
        self.raw_votes = {k: (v or "").strip() for k, v in form.items() if k.startswith(("vote-", "st-", "wi-"))}
        self.votes = self._votes("vote-")
        self.write_ins = self._write_ins("wi-")
        self.station_rows = [self._station(j) for j in range(self.stations)]

    @staticmethod
    def _station_count(raw: str) -> int:
        return min(int(raw), MAX_STATIONS) if raw.isdigit() else 0

    def _count(self, key: str, blank: Optional[int] = 0) -> Optional[int]:
        text = (self.form.get(key) or "").strip()
        if text == "":
            return blank
        if text.isdigit() and len(text) < 10:
            return int(text)
        self.errors[key] = _("Enter a whole number of votes.")
        return None

    def _votes(self, prefix: str) -> dict[str, int]:
        out = {}
        for key in self.form:
            cid = key[len(prefix):]
            if key.startswith(prefix) and cid.isdigit():
                n = self._count(key)
                if n is not None:
                    out[cid] = n
        return out

    def _write_ins(self, prefix: str) -> list[dict[str, Any]]:
        out = []
        for i in range(WRITE_IN_ROWS):
            name = (self.form.get(f"{prefix}{i}-name") or "").strip()
            votes = self._count(f"{prefix}{i}-votes", None)
            if not name and votes is None:
                continue  # a blank row
            if not name:
                self.errors[f"{prefix}{i}-name"] = _("Enter the name written in.")
                continue
            out.append({"name": name, "post": self.form.get(f"{prefix}{i}-post") or "member",
                        "votes": votes or 0})
        return out

    def _station(self, j: int) -> dict[str, Any]:
        p = f"st-{j}-"
        row: dict[str, Any] = {"name": (self.form.get(f"{p}name") or "").strip() or _("Polling place %(n)d", n=j + 1)}
        for name in BALLOTS:
            row[name] = self._count(f"{p}{name}")
        row["votes"] = self._votes(f"{p}vote-")
        row["write_ins"] = self._write_ins(f"{p}wi-")
        return row

    def payload(self, form: Any) -> dict[str, Any]:
        """The round as the service takes it (the API's shape)."""
        out: dict[str, Any] = {"kind": form.kind.data, "expected": form.expected.data, "present": form.present.data}
        if self.stations:
            out["stations"] = self.station_rows
            return out
        for name in BALLOTS:
            value = getattr(form, name).data
            if value is not None:
                out[name] = value
        out["votes"] = self.votes
        if self.write_ins:
            out["write_ins"] = self.write_ins
        return out
