"""A note acknowledged to the commander survives the process being killed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from incidentdesk.app.desk import Desk

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from incidentdesk.app.desk import Desk

    desk = Desk.open(Path(sys.argv[1]), "writer")
    incident = sys.argv[2]
    i = 0
    while True:
        event_id = desk.incidents.add_note(incident, f"note {i} from the alerting script")
        print(event_id, flush=True)  # printed only once add_note has returned
        i += 1
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("round_no", range(5))
def test_every_acknowledged_note_survives_sigkill(data_dir: Path, round_no: int) -> None:
    setup = Desk.open(data_dir, "Alice")
    incident = setup.incidents.declare("Durability drill", "SEV3")
    setup.close()

    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), incident],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acknowledged: list[str] = []
    kill_after = random.Random(round_no).randint(20, 150)
    while len(acknowledged) < kill_after:
        line = child.stdout.readline()
        assert line, f"the writer stopped early: {child.stderr.read() if child.stderr else ''}"
        acknowledged.append(line.strip())
    os.kill(child.pid, signal.SIGKILL)  # mid-stream: it is writing the next note right now
    child.wait(timeout=10)
    acknowledged += [line.strip() for line in child.stdout if line.strip()]
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()

    reopened = Desk.open(data_dir, "Alice")
    assert reopened.store.integrity_check() == ["ok"]
    saved = {entry.event.id for entry in reopened.incidents.timeline(incident)}
    missing = [event_id for event_id in acknowledged if event_id not in saved]
    assert not missing, f"{len(missing)} acknowledged notes were lost"
    # The store still takes writes after the crash.
    reopened.incidents.add_note(incident, "after the crash")
    reopened.close()
