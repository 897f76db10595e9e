"""The export tests' shared document (built in docsample.py, a uniquely named module)."""

from __future__ import annotations

import pytest
from docsample import sample_document

from incidentdesk.core.postmortem.document import PostmortemDocument


@pytest.fixture
def document() -> PostmortemDocument:
    """The 40-row test post-mortem."""
    return sample_document()
