"""Real transactions: 40 copies of one submission arriving at once store exactly one response; posts from one address
at once store exactly as many as the rate limit allows."""

import threading
import uuid

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from surveys.models import Answer, Response
from tests.conftest import many_at_once
from tests.surveys.conftest import form_data, scale_ids

SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
THREADS = 40


@pytest.mark.skipif(
    SQLITE,
    reason="SQLite's in-memory test database lets one writer in at a time and fails the others with "
    "'database table is locked': the race is only meaningful on PostgreSQL (CI).",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_submissions_store_one_response(pre_survey):
    data = {"submission_key": str(uuid.uuid4())} | {f"s{sid}": "4" for sid in scale_ids(pre_survey)}
    url = f"/s/{pre_survey.token}/"
    start = threading.Barrier(THREADS)
    results = []

    def post():
        try:
            start.wait()
            response = Client(raise_request_exception=False).post(url, data)
            results.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = Response.objects.get()
    assert [status for status, _ in results] == [200] * THREADS
    assert all(stored.pairing_code in html for _, html in results)
    assert list(Answer.objects.values_list("value", flat=True)) == [4, 4, 4]


@pytest.mark.skipif(SQLITE, reason="concurrent submissions need a database that takes concurrent writers (CI's)")
@pytest.mark.django_db(transaction=True)
def test_posts_at_once_from_one_address_store_exactly_the_limit(limit_store, settings, pre_survey):
    settings.SURVEY_RATE_LIMIT = "30/10m"  # 600 against 300 is the same count, slower (tests/coprod/test_limits.py)
    url = f"/s/{pre_survey.token}/"

    def post():
        return Client(raise_request_exception=False).post(url, form_data(pre_survey, [4, 4, 4])).status_code

    statuses = many_at_once(90, post)
    assert statuses.count(200) == 30
    assert statuses.count(429) == 60
    assert Response.objects.count() == 30
