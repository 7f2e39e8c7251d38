"""The matrix rows of history integrity and evidence files (api.md; domain.md §14)."""
from __future__ import annotations

import io
import os
import tempfile
from typing import Callable

from tests.e2e.api_matrix import E, EDITORS, Case, Ctx

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _store() -> None:
    """Papers of the matrix go to a folder of this test process, not to the instance folder."""
    os.environ.setdefault("HUANJIE_STORAGE_URL", "file://" + tempfile.mkdtemp(prefix="huanjie-matrix-evidence-"))


def prepare_attachments(ctx: Ctx) -> None:
    """One paper on each side's election."""
    from workflow.auth import SYSTEM
    from workflow.services.evidence import upload
    _store()
    for side in ("in", "out"):
        with ctx.api.db.uow() as w:
            ctx.ids[side]["attachment"] = upload(w, SYSTEM, ctx.ids[side]["election"], io.BytesIO(PNG), "a.png",
                                                 "photo")["id"]


PREPARE: dict[str, Callable[[Ctx], None]] = {"attachments": prepare_attachments, "store": lambda ctx: _store()}

CASES: list[Case] = [
    Case("GET", f"{E}/verify", "/elections/{election}/verify"),
    Case("GET", f"{E}/attachments", "/elections/{election}/attachments"),
    Case("POST", f"{E}/attachments", "/elections/{election}/attachments", allowed=EDITORS, passes=(201,),
         multipart=True, needs=("store",), body=lambda ctx, side: {"kind": "photo", "file": (io.BytesIO(PNG), "a.png")}),
    Case("GET", "/api/v1/attachments/<int:attachment_id>", "/attachments/{attachment}", needs=("attachments",)),
]
