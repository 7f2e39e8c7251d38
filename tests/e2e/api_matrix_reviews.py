"""The matrix row of the joint review (api.md rev. 2; domain.md §12): verdicts are a reviewer's or an admin's.

The base world runs under liaoning-2014, which has no joint review: an admin in scope gets the 409 invalid_state of a rule
set without a review, every other role 403 (a reviewer of the department is tested in tests/e2e/test_api_reviews.py)."""
from __future__ import annotations

from tests.e2e.api_matrix import Case

CASES: list[Case] = [
    Case("PUT", "/api/v1/candidates/<int:candidate_id>/reviews/<department>", "/candidates/{candidate}/reviews/court",
         allowed=frozenset({"admin"}), needs=("candidates",), passes=(409,),
         body=lambda ctx, side: {"verdict": "pass"}),
]
