"""Load test of the attendee's questionnaire: gunicorn on PostgreSQL, 200 simulated phones, run by hand.

    .venv/bin/python bench/load_survey.py [--duration 120] [--phones 200] [--workers 5]

Creates a throwaway database (coprod_bench on 127.0.0.1:5432, trust auth, user postgres or root), migrates
it, seeds one open 10-statement survey and starts gunicorn on 127.0.0.1 with BENCH_BARE_VIEW=1 (a bare view
through the full middleware, the yardstick) and the rate limit lifted. Then, in one run and on the same
server: the bare view's rate, the survey page's rate, and phones that fetch the form and send answers for
--duration seconds (about one in twenty sends twice at once, like a double tap). It prints rates, median and
95th-percentile latencies, the reconciliation (acknowledged submissions against stored rows: they must be
equal, with no duplicates) and the ratios against the targets. Nothing but 127.0.0.1 is contacted; the
server and the database are removed at the end (--keep keeps the database).
"""

import argparse
import asyncio
import datetime
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from postgres import HOST, admin_connection

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "coprod_bench"
TARGET_PAGE, TARGET_SUBMIT = 0.20, 0.08
KEY_RE = re.compile(r'name="submission_key" value="([0-9a-f-]{36})"')
FIELD_RE = re.compile(r'name="(s\d+)"')
CODE_RE = re.compile(r'data-testid="pairing-code"><span aria-hidden="true">([A-Z0-9]{6})<')
VALUES = ["1", "2", "3", "4", "5", "dk"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of submissions (default 120)")
    parser.add_argument("--page-seconds", type=float, default=30, help="seconds for each of bare and page rates")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of bare, page and submissions")
    parser.add_argument("--phones", type=int, default=200, help="simulated phones at once (default 200)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the coprod_bench database afterwards")
    return parser.parse_args()


# --- the throwaway database ---


def recreate_database():
    connection, user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return f"postgres://{user}@{HOST}:5432/{DB_NAME}", version


def drop_database():
    connection, _user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    connection.close()


def server_environment(database_url):
    return os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "coprod-bench-only-not-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SURVEY_RATE_LIMIT": "100000000/m",  # every phone shares 127.0.0.1: lift it, but still count
        "BENCH_BARE_VIEW": "1",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }


def seed(environment):
    """One partnership, one session, a 10-statement national template and its open survey: the token."""
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "coprod.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from coprod.models import Partnership
    from surveys import services
    from surveys.models import QuestionnaireTemplate
    from workshops.models import Session

    partnership = Partnership.objects.create(name="Bench Partnership", council_area="Bench")
    session = Session.objects.create(
        partnership=partnership,
        title="Bench session",
        date=datetime.date(2026, 3, 12),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 30),
        venue="Bench hall",
    )
    template = QuestionnaireTemplate.objects.create(title="Bench questionnaire, 10 statements")
    for number in range(1, 11):
        services.template_item_add(template=template, text=f"Bench statement {number}: I agree with this.")
    survey = services.survey_create(session=session, phase="pre", template=template)
    return survey


def reconcile(survey, acknowledged):
    from django.db.models import Count

    from surveys.models import Answer, Response

    stored_keys = {str(key) for key in Response.objects.filter(survey=survey).values_list("submission_key", flat=True)}
    rows = Response.objects.filter(survey=survey).count()
    answers = Answer.objects.filter(response__survey=survey).count()
    per_response = set(
        Response.objects.filter(survey=survey).annotate(n=Count("answers")).values_list("n", flat=True).distinct()
    )
    return {
        "acknowledged": len(acknowledged),
        "stored": rows,
        "duplicates": rows - len(stored_keys),
        "acknowledged_not_stored": len(acknowledged - stored_keys),
        "stored_not_acknowledged": len(stored_keys - acknowledged),
        "answers": answers,
        "answers_per_response": sorted(per_response),
    }


# --- the server ---


def start_server(environment, workers, port, log):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "coprod.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--backlog",
        "2048",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)  # noqa: S603
    return server


async def wait_until_up(base, server):
    async with aiohttp.ClientSession() as client:
        for _ in range(150):
            if server.poll() is not None:
                sys.exit("gunicorn stopped: see bench/results/load_survey.log")
            try:
                async with client.get(f"{base}/bench/bare/") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    sys.exit("gunicorn did not answer within 30 s")


# --- the phones ---


class Tally:
    """Completed requests, errors and latencies over one or more timed stretches."""

    def __init__(self):
        self.latencies = []
        self.count = 0
        self.errors = 0
        self.seconds = 0.0

    def rate(self):
        return self.count / self.seconds if self.seconds else 0.0

    def median_ms(self):
        return 1000 * statistics.median(self.latencies) if self.latencies else float("nan")

    def p95_ms(self):
        if len(self.latencies) < 20:
            return float("nan")
        return 1000 * statistics.quantiles(self.latencies, n=20)[-1]


async def get_loop(client, url, seconds, phones, tally=None):
    """`phones` clients fetching `url` back to back for `seconds`: requests per second and latencies."""
    tally = tally or Tally()
    started = time.monotonic()
    deadline = started + seconds

    async def phone():
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                async with client.get(url) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            if ok:
                tally.count += 1
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.errors += 1

    await asyncio.gather(*(phone() for _ in range(phones)))
    tally.seconds += time.monotonic() - started
    return tally


class Submissions:
    def __init__(self):
        self.pages, self.posts = Tally(), Tally()
        self.acknowledged, self.doubles = set(), 0


async def submit_loop(client, url, seconds, phones, run):
    """Phones that fetch the form and send it, as fast as they can; about one in twenty sends it twice."""
    pages, posts, acknowledged = run.pages, run.posts, run.acknowledged
    began = time.monotonic()
    deadline = began + seconds

    async def send(data):
        started = time.perf_counter()
        try:
            async with client.post(url, data=data) as response:
                body = await response.text()
                status = response.status
        except aiohttp.ClientError:
            return None
        posts.latencies.append(time.perf_counter() - started)
        match = CODE_RE.search(body) if status == 200 else None
        return match.group(1) if match else None

    async def phone(number):
        rng = random.Random(f"{number}-{began}")
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                async with client.get(url) as response:
                    html = await response.text()
            except aiohttp.ClientError:
                pages.errors += 1
                continue
            pages.latencies.append(time.perf_counter() - started)
            pages.count += 1
            key = KEY_RE.search(html).group(1)
            data = {"submission_key": key} | {
                name: rng.choice(VALUES) for name in dict.fromkeys(FIELD_RE.findall(html))
            }
            twice = rng.random() < 0.05
            codes = await asyncio.gather(send(data), send(data)) if twice else [await send(data)]
            run.doubles += twice
            # Acknowledged: every copy got the thank-you page, with the same pairing code.
            if all(codes) and len(set(codes)) == 1:
                acknowledged.add(key)
                posts.count += 1
            else:
                posts.errors += 1

    await asyncio.gather(*(phone(number) for number in range(phones)))
    elapsed = time.monotonic() - began
    pages.seconds += elapsed
    posts.seconds += elapsed


async def run_load(base, token, args):
    """Bare view, survey page and submissions in interleaved rounds, so that whatever else the machine does
    weighs on all three alike."""
    connector = aiohttp.TCPConnector(limit=args.phones)
    timeout = aiohttp.ClientTimeout(total=60)
    bare, page, run = Tally(), Tally(), Submissions()
    survey_url = f"{base}/s/{token}/"
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        await get_loop(client, f"{base}/bench/bare/", 3, args.phones)  # warm up every worker
        await get_loop(client, survey_url, 2, args.phones)
        for _round in range(args.rounds):
            await get_loop(client, f"{base}/bench/bare/", args.page_seconds / args.rounds, args.phones, bare)
            await get_loop(client, survey_url, args.page_seconds / args.rounds, args.phones, page)
            await submit_loop(client, survey_url, args.duration / args.rounds, args.phones, run)
    return bare, page, run


def main():
    args = parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    database_url, version = recreate_database()
    environment = server_environment(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=environment, check=True
    )
    subprocess.run(  # as a deploy does: production settings name hashed static files
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=environment, check=True
    )
    survey = seed(environment)
    base = f"http://{HOST}:{args.port}"
    with open(results / "load_survey.log", "w") as log:
        server = start_server(environment, args.workers, args.port, log)
        try:
            asyncio.run(wait_until_up(base, server))
            bare, page, run = asyncio.run(run_load(base, survey.token, args))
        finally:
            server.terminate()
            server.wait(timeout=30)
    form, posts, doubles = run.pages, run.posts, run.doubles
    figures = reconcile(survey, run.acknowledged)
    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database()

    ok = (
        figures["acknowledged"] == figures["stored"]
        and figures["duplicates"] == 0
        and figures["acknowledged_not_stored"] == 0
        and figures["stored_not_acknowledged"] == 0
        and figures["answers_per_response"] == [10]
    )
    page_ratio, submit_ratio = page.rate() / bare.rate(), posts.rate() / bare.rate()
    print(
        f"CoProd questionnaire load: gunicorn {args.workers} sync workers, PostgreSQL {version}, "
        f"{args.phones} phones, {os.cpu_count()} cores, client and server on this machine"
    )
    print(f"{'':34} {'rate/s':>9} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
    rows = [
        ("bare view (full middleware)", bare),
        ("survey page GET /s/<token>/", page),
        ("  form GET while submitting", form),
        ("submissions POST (acknowledged)", posts),
    ]
    for label, tally in rows:
        print(f"{label:34} {tally.rate():9.1f} {tally.median_ms():10.1f} {tally.p95_ms():8.1f} {tally.errors:7d}")
    print(
        f"reconciliation: acknowledged {figures['acknowledged']}, stored {figures['stored']}, "
        f"duplicates {figures['duplicates']}, acknowledged but not stored {figures['acknowledged_not_stored']}, "
        f"stored but not acknowledged {figures['stored_not_acknowledged']}, answers {figures['answers']} "
        f"(per response: {figures['answers_per_response']}), double taps sent {doubles}: "
        + ("OK" if ok else "MISMATCH")
    )
    print(
        f"ratios: survey page {page_ratio:.1%} of bare (target >= {TARGET_PAGE:.0%}: "
        f"{'met' if page_ratio >= TARGET_PAGE else 'NOT met'}); submissions {submit_ratio:.1%} of bare "
        f"(target >= {TARGET_SUBMIT:.0%}: {'met' if submit_ratio >= TARGET_SUBMIT else 'NOT met'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
