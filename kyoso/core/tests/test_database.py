"""The suite really runs on the database DATABASE_URL names (CI runs it on both)."""

import os
import sqlite3
import threading
import time
from contextlib import closing

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper


def test_database_backend_matches_database_url():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "sqlite://").startswith("sqlite"),
    reason="SQLite's file lock; PostgreSQL locks rows",
)
@pytest.mark.django_db  # lets pytest-django open connections; the test uses its own file
def test_sqlite_write_waits_for_another_process_instead_of_failing(tmp_path):
    """With the settings' SQLite options, a transaction that reads and then writes waits
    while another process holds the write lock (a search-index rebuild, the task worker)
    and then goes on. A deferred transaction failed at once with 'database is locked'."""
    path = tmp_path / "locked.sqlite3"
    with closing(sqlite3.connect(path)) as setup:
        setup.execute("CREATE TABLE t (n INTEGER)")
        setup.commit()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    release = threading.Timer(0.5, other.execute, ["ROLLBACK"])
    wrapper = DatabaseWrapper({**settings.DATABASES["default"], "NAME": str(path)}, "locked")
    connections["locked"] = wrapper
    try:
        release.start()
        started = time.monotonic()
        with transaction.atomic(using="locked"), wrapper.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM t")
            cursor.execute("INSERT INTO t VALUES (1)")
        waited = time.monotonic() - started
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM t")
            assert cursor.fetchone()[0] == 1
        assert waited >= 0.4  # it waited for the lock instead of failing
    finally:
        release.join()
        wrapper.close()
        del connections["locked"]
        other.close()
