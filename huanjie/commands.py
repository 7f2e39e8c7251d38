"""Commands registered by each feature module (serve, scheduler, sweep, report, import)."""
from __future__ import annotations
from . import cmd_scheduler  # noqa: F401
from . import cmd_serve  # noqa: F401
from . import cmd_data  # noqa: F401
from . import cmd_history  # noqa: F401
from . import cmd_backup  # noqa: F401
