"""The suite's own rules (tests/suiterules.py, tests/conftest.py), run on small made-up suites."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

SKIPS = """
import sys
import pytest

def test_runs():
    pass

def test_skips_itself():
    pytest.skip("the tool is missing")

@pytest.mark.skip(reason="marked")
def test_marked():
    pass

@pytest.mark.skipif(sys.version_info > (3,), reason="conditional")
def test_conditional():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_expected_failure():
    raise AssertionError
"""

MODULE_SKIP = """
import pytest

pytest.importorskip("no_such_module_for_the_suite_rules")

def test_never_collected():
    pass
"""


# The rules under test; the made-up suite runs in this process, without workers of its own
# (nor pytest-benchmark, where a machine has it: it refuses to run inside an xdist worker).
INNER = ("-p", "suiterules", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:benchmark")


@pytest.fixture
def made_up(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_skips=SKIPS, test_module_skip=MODULE_SKIP)
    return pytester


def test_under_ci_every_skip_is_a_failure_with_its_reason(
    made_up: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = made_up.runpytest(*INNER, "--continue-on-collection-errors")
    # A mark skips at setup (an error); a skip in the body fails the test itself.
    result.assert_outcomes(passed=1, failed=1, errors=3, xfailed=1)
    output = result.stdout.str()
    for reason in ("the tool is missing", "marked", "conditional", "no_such_module"):
        assert reason in output, reason
    assert "skipped under CI, where every test must run" in output


def test_outside_ci_a_skip_stays_a_skip(
    made_up: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = made_up.runpytest(*INNER)
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)


def test_the_hypothesis_profile_follows_ci() -> None:
    import os

    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert settings.default.derandomize and settings.default.database is None
        assert settings.default.deadline is None
        assert HealthCheck.too_slow in settings.default.suppress_health_check
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert list(ci.suppress_health_check) == [HealthCheck.too_slow]
    assert settings.get_profile("dev") is not None
