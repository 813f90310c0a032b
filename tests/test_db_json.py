"""JSON columns: orjson writes what the standard library would, and nothing jsonb refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.accounts.service import create_account
from resolutionflow.db import json_text


def test_json_text_writes_what_the_standard_library_reads_back() -> None:
    value = {"tree": {"options": [{"label": "Café ✓", "session_count": 3}]}, "n": 1.5}
    assert json.loads(json_text(value)) == value
    assert json.loads(json_text({1: "one"})) == {"1": "one"}  # as json.dumps writes it
    assert json_text({"share": np.float64(0.25)}) == '{"share":0.25}'
    # jsonb refuses NaN and infinity; the standard library would have written them.
    assert json.loads(json_text({"a": float("nan"), "b": float("inf")})) == {"a": None, "b": None}
    with pytest.raises(TypeError):
        json_text({"what": object()})


async def test_a_json_column_round_trips_on_both_databases(db: AsyncSession) -> None:
    settings = {"names": ["Zoë", "O'Brien"], "nested": {"k": [1, 2.5, None, True]}}
    account = await create_account(db, slug="json-trip", name="JSON")
    account.settings = settings
    await db.commit()
    db.expire_all()
    await db.refresh(account)
    assert account.settings == settings
