"""A small in-process cache of derived reports, keyed by the account's data version.

Each entry is keyed on (kind, account id, period, account.data_version). Resolving,
escalating or importing sessions bumps `data_version` in the database, so every process
stops finding the old entry at once without any message passing; entries also expire after
their time to live (at most an hour), which bounds how far "now" can drift inside a cached
report.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

MAX_TTL_SECONDS = 3600
MAX_ENTRIES = 512

Key = tuple[str, uuid.UUID, int, int]


class ReportCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Key, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Key) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            expires, value = found
            if expires <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Key, value: Any, ttl_seconds: float) -> None:
        ttl = min(float(ttl_seconds), MAX_TTL_SECONDS)
        if ttl <= 0:
            return
        kind, account_id, period, _ = key
        with self._lock:
            # Entries of older data versions can never be hit again.
            for old in [k for k in self._entries if k[:3] == (kind, account_id, period)]:
                del self._entries[old]
            self._entries[key] = (time.monotonic() + ttl, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


reports = ReportCache()
