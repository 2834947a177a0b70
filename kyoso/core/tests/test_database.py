"""The suite really runs on the database DATABASE_URL names (CI runs it on both)."""

import os

from django.db import connection


def test_database_backend_matches_database_url():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
