"""Alembic migrations, shipped inside the package so `resolutionflow db upgrade` works anywhere."""
