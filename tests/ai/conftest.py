"""Fixtures: one fake OpenAI and one fake Anthropic server per test run, reset for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ai.fake_servers import FakeModelServer, anthropic_success, openai_success


@pytest.fixture(scope="session")
def _openai_server() -> Iterator[FakeModelServer]:
    server = FakeModelServer(openai_success)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _anthropic_server() -> Iterator[FakeModelServer]:
    server = FakeModelServer(anthropic_success)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def openai_server(_openai_server: FakeModelServer) -> Iterator[FakeModelServer]:
    _openai_server.reset()
    yield _openai_server
    _openai_server.reset()


@pytest.fixture
def anthropic_server(_anthropic_server: FakeModelServer) -> Iterator[FakeModelServer]:
    _anthropic_server.reset()
    yield _anthropic_server
    _anthropic_server.reset()
