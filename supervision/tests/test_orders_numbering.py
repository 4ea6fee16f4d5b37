"""Order numbers under concurrency: issuers racing for the same prefix and year never share
a number (PostgreSQL row lock; SQLite write lock), and a committed number is never given again."""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from supervision.orders.models import OrderNumberCounter
from supervision.orders.services import order_number_allocate

THREADS = 6
PER_THREAD = 5


def _race(prefix, using=DEFAULT_DB_ALIAS):
    numbers, errors = [], []
    start = threading.Barrier(THREADS)

    def issuer():
        try:
            start.wait()
            for _ in range(PER_THREAD):
                with transaction.atomic(using=using):
                    numbers.append(order_number_allocate(prefix=prefix, year=2026, using=using))
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connections[using].close()

    threads = [threading.Thread(target=issuer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return numbers, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_share_a_number():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite: see test_concurrent_issuers_on_a_file_sqlite_database")
    numbers, errors = _race("并发督")
    assert errors == []
    assert sorted(numbers) == list(range(1, THREADS * PER_THREAD + 1))


@pytest.fixture
def file_sqlite(tmp_path, django_db_blocker):
    """A file SQLite database (the test database is in memory, which threads cannot share)
    holding just the counter table, as the alias "race"."""
    settings = {**connections.settings[DEFAULT_DB_ALIAS]}
    settings.update(ENGINE="django.db.backends.sqlite3", NAME=str(tmp_path / "race.sqlite3"))
    connections.settings["race"] = settings
    try:
        with django_db_blocker.unblock():
            with connections["race"].schema_editor() as editor:
                editor.create_model(OrderNumberCounter)
            yield "race"
    finally:
        connections["race"].close()
        del connections.settings["race"]
        del connections["race"]


def test_concurrent_issuers_on_a_file_sqlite_database(file_sqlite):
    numbers, errors = _race("并发督", using=file_sqlite)
    assert errors == []
    assert sorted(numbers) == list(range(1, THREADS * PER_THREAD + 1))


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_issue_gives_back_only_a_number_no_order_ever_had():
    with transaction.atomic():
        assert order_number_allocate(prefix="回滚督", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        order_number_allocate(prefix="回滚督", year=2026)
        raise RuntimeError("the issue failed after the number was taken")
    with transaction.atomic():
        # The failed issue's number was rolled back with it and is handed out again: it was
        # never visible on any order, so nothing is reused; committed numbers only grow.
        assert order_number_allocate(prefix="回滚督", year=2026) == 2
    assert OrderNumberCounter.objects.get(prefix="回滚督").last == 2
