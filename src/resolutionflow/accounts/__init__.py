"""Accounts (tenants), teams, users and API tokens."""
