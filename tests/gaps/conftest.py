"""The command-line fixture for the gap tests."""

from tests.cli.conftest import cli  # noqa: F401
