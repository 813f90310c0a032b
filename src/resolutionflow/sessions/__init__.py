"""Troubleshooting sessions: ingesting them, reading them back, and describing them to a model."""
