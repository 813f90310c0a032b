"""Run the real `resolutionflow` command in-process against a fresh database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from resolutionflow.cli.main import app
from resolutionflow.config import reset_settings


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Result]]:
    monkeypatch.setenv("RESOLUTIONFLOW_DATABASE_URL", fresh_database_url)
    monkeypatch.delenv("RESOLUTIONFLOW_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    reset_settings()
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    yield invoke
    reset_settings()
