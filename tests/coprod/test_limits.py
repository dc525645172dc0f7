"""Rate limits (coprod.limits): exact counts in the database or in Redis (tests/conftest.py, limit_store), also
when hundreds ask at once."""

import logging
import time

import pytest
from django.conf import settings

from coprod import limits
from coprod.models import RateCount
from tests.conftest import many_at_once

SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def test_rates_are_read_as_count_and_period():
    assert limits.parse("300/10m") == (300, 600)
    assert limits.parse("1/m") == (1, 60)
    assert limits.parse("5/2h") == (5, 7200)
    with pytest.raises(ValueError, match="300/10m"):
        limits.parse("300 per minute")


@pytest.mark.django_db
def test_a_limit_allows_its_count_then_refuses(limit_store):
    assert [limits.hit("g", "10.0.0.1", "3/m") for _ in range(5)] == [False, False, False, True, True]
    assert limits.spent("g", "10.0.0.1", "3/m")
    # Another client, or another group, has its own count.
    assert not limits.hit("g", "10.0.0.2", "3/m")
    assert not limits.spent("other", "10.0.0.1", "3/m")


@pytest.mark.django_db
def test_spent_does_not_count(limit_store):
    for _ in range(10):
        assert not limits.spent("g", "10.0.0.1", "2/m")
    assert [limits.hit("g", "10.0.0.1", "2/m") for _ in range(3)] == [False, False, True]


@pytest.mark.django_db
def test_a_new_window_starts_afresh(limit_store, monkeypatch):
    now = 1_000_000 * 60.0  # the start of a minute
    monkeypatch.setattr(limits.time, "time", lambda: now)
    assert [limits.hit("g", "10.0.0.1", "1/m") for _ in range(2)] == [False, True]
    now += 59
    assert limits.hit("g", "10.0.0.1", "1/m")
    now += 1
    assert not limits.hit("g", "10.0.0.1", "1/m")


@pytest.mark.django_db
def test_in_the_database_past_windows_are_deleted_and_current_ones_kept(settings, monkeypatch):
    settings.REDIS_URL = ""
    now = 1_000_000 * 60.0
    monkeypatch.setattr(limits.time, "time", lambda: now)
    limits.hit("g", "10.0.0.1", "1/m")
    limits.hit("g", "10.0.0.2", "1/h")
    now += 60
    limits.hit("g", "10.0.0.3", "1/m")  # a new window: the first client's minute is over, the hour is not
    assert sorted(key.split(":")[3] for key in RateCount.objects.values_list("key", flat=True)) == [
        "10.0.0.2",
        "10.0.0.3",
    ]


def test_a_long_client_is_hashed_to_fit():
    key, _ = limits._key("g", "x" * 500, 60, time.time())
    assert len(key) < RateCount._meta.get_field("key").max_length


def test_without_redis_the_limit_lets_requests_through_and_says_so(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="coprod.limits"):
        assert not limits.hit("g", "10.0.0.1", "1/m")
        assert not limits.hit("g", "10.0.0.1", "1/m")
        assert not limits.spent("g", "10.0.0.1", "1/m")
    assert "Redis unreachable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_600_hits_at_once_against_300_allow_exactly_300(limit_store):
    if limit_store == "database" and SQLITE:
        pytest.skip("SQLite's in-memory test database fails concurrent writers ('table is locked'); PostgreSQL in CI")
    refused = many_at_once(600, lambda: limits.hit("g", "10.0.0.1", "300/10m"))
    assert refused.count(False) == 300
    assert refused.count(True) == 300
