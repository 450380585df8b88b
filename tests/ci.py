"""What the test suite requires of the machine it runs on.

On a developer's laptop a missing PostgreSQL, Redis or chromium skips the cases that need it;
under CI (``CI`` set, as ``.ci/run`` does) they are part of the machine, so their absence fails
the run instead of quietly testing less.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str) -> NoReturn:
    """Skip the current test because ``what`` is absent, or fail it under CI."""
    if IN_CI:
        pytest.fail(f"{what} (CI is set: it is required on this machine)", pytrace=False)
    pytest.skip(what)
