"""Named points of an import (reading, writing, committed, indexing, swapping) where the crash
test stops the process: with LAWBOT_IMPORT_PAUSE_AT=<phase> in its environment, a process that
reaches that point prints `LAWBOT_IMPORT_PAUSED <phase>` and waits there until it is killed. Unset
(always, outside that test), a pause point does nothing."""

import os
import signal
import sys

PHASES = ("read", "write", "batch", "committed", "index", "swap")


def pause_point(phase: str) -> None:
    if os.environ.get("LAWBOT_IMPORT_PAUSE_AT") != phase:
        return
    sys.stdout.write(f"LAWBOT_IMPORT_PAUSED {phase}\n")
    sys.stdout.flush()
    while True:
        signal.pause()
