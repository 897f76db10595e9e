"""The suite's own rules, as a pytest plugin (tests/conftest.py loads it).

Under ``CI`` every test runs: a skip, whether from ``pytest.skip``, a ``skip``/``skipif`` mark
or an ``importorskip`` at the top of a module, is reported as a failure with its reason, so a
missing tool or fixture on the CI machine is seen instead of silently passing. An expected
failure (``xfail``) is not a skip and keeps its own rules (``xfail_strict``).
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

PREFIX = "skipped under CI, where every test must run"


def skips_fail() -> bool:
    """Whether a skip is a failure in this run (``CI`` is set and not empty)."""
    return bool(os.environ.get("CI"))


def _reason(longrepr: object) -> str:
    # A skip's longrepr is (path, line, "Skipped: why"); anything else is shown as it is.
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, message = longrepr
        return f"{message} ({path}:{line})"
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and skips_fail():
        report.outcome = "failed"
        report.longrepr = f"{PREFIX}: {_reason(report.longrepr)}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if report.skipped and skips_fail():
        report.outcome = "failed"
        report.longrepr = f"{PREFIX}: {_reason(report.longrepr)}"
    return report
