"""A bounded memory of what was read off query texts: the least recently asked entry goes first.

Keys are tuples whose first item is the text; a text longer than the caller's character bound is
not remembered (it is read every time it is asked). The bounds are given at each ``remember``, so
that they are read from the caller's settings when it runs. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

MISSING = object()


class TextMemo(OrderedDict):
    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()

    def recall(self, key: tuple):
        """The value remembered for key (now the most recently asked), or MISSING."""
        with self._lock:
            if key not in self:
                return MISSING
            self.move_to_end(key)
            return self[key]

    def remember(self, key: tuple, value=None, *, entries: int, chars: int) -> None:
        if len(key[0]) > chars:
            return
        with self._lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > entries:
                self.popitem(last=False)
