"""Commands registered by each feature module (serve, scheduler, sweep, report, import)."""
from __future__ import annotations
