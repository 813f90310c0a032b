"""The API fixtures (app, client, the people of two accounts) for the analytics tests."""

from tests.api.conftest import app, app_settings, client, world  # noqa: F401
