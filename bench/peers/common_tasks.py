"""What both peers' tasks share: the survey's shape, the seed's size, and counting one phone's visit."""

import random

from django.core.management import call_command
from django.db import connection
from django.test import Client
from roundtrips import RoundTrips

SEED_RESPONSES = 100_000
RESPONSES_PER_BATCH = 5_000
QUESTIONS = 10
AGREEMENT = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")


def migrate():
    call_command("migrate", interactive=False, verbosity=0)


def analyse():
    """VACUUM ANALYZE after the bulk load, so that the planner knows the tables as a live site's would be."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def batches(rng):
    """SEED_RESPONSES numbered responses in batches, each with a random choice (0-4) for each question."""
    for start in range(0, SEED_RESPONSES, RESPONSES_PER_BATCH):
        numbers = range(start, min(start + RESPONSES_PER_BATCH, SEED_RESPONSES))
        yield [(number, [rng.randrange(len(AGREEMENT)) for _ in range(QUESTIONS)]) for number in numbers]


def seed_rng():
    return random.Random(20261205)


def visit_round_trips(url, data):
    """SQL round trips of a new phone's GET of the form at `url`, its POST of `data` and the page the POST
    redirects to, the second of two such visits (the first warms the process up, as a worker that has served
    the form before)."""
    for _visit in range(2):
        client = Client(HTTP_HOST="127.0.0.1")  # a new phone: no cookies yet
        with RoundTrips() as page:
            got = client.get(url)
        with RoundTrips() as submission:
            sent = client.post(url, data)
        if got.status_code != 200 or sent.status_code != 302:
            raise SystemExit(f"{url}: GET {got.status_code}, POST {sent.status_code}: not a stored submission")
        with RoundTrips() as after:
            client.get(sent["Location"])
    return {"page": page.summary(), "submission": submission.summary(), "after_redirect": after.summary()}
