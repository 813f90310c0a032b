"""The web UI: server-rendered pages on the same app and services as the JSON API."""
