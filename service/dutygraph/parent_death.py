"""Worker processes die with the service that started them.

``die_with_parent(parent_pid)`` asks Linux to send SIGKILL to this process when its parent thread
exits (``prctl(PR_SET_PDEATHSIG)``), then checks that the parent is still the one given — it may
have died before the request was made. Without it a worker whose service was killed (SIGKILL
leaves no time to clean up) would run on as an orphan, with no time limit, using CPU and memory.
Elsewhere than Linux it only checks the parent.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
