"""Security tests hash passwords often: a cheap argon2 setting keeps them quick (the algorithm
and the checks are the same)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from resolutionflow.tenancy import security


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
