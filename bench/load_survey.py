"""Load test of the attendee's questionnaire: gunicorn on PostgreSQL, 200 simulated phones, run by hand.

    .venv/bin/python bench/load_survey.py [--duration 120] [--phones 200] [--workers 5]
    .venv/bin/python bench/load_survey.py --peers [--rounds 3] [--duration 60] [--page-seconds 30]

Creates a throwaway database (coprod_bench on 127.0.0.1:5432, trust auth, user postgres or root), migrates
it, seeds one open 10-statement survey and starts gunicorn on 127.0.0.1 with BENCH_BARE_VIEW=1 (a bare view
through the full middleware, the yardstick) and the rate limit lifted. Then, in one run and on the same
server: the bare view's rate, the survey page's rate, and phones that fetch the form and send answers for
--duration seconds (about one in twenty sends twice at once, like a double tap). It prints rates, median and
95th-percentile latencies, the reconciliation (acknowledged submissions against stored rows: they must be
equal, with no duplicates) and the ratios against the targets. Nothing but 127.0.0.1 is contacted; the
server and the database are removed at the end (--keep keeps the database).

With --peers, CoProd is measured side by side with the two most used open-source Django survey apps
(bench/peers/: django-form-surveys and django-survey-and-report, each in its own Python 3.11 virtual
environment under bench/results/peers/) and a bare Django view, all served at once by gunicorn with 2 sync
workers, in interleaved rounds; see the --peers section of bench/README.md.
"""

import argparse
import asyncio
import datetime
import html
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
from postgres import HOST, admin_connection

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "coprod_bench"
TARGET_PAGE, TARGET_SUBMIT = 0.20, 0.08
CODE_RE = re.compile(r'data-testid="pairing-code"><span aria-hidden="true">([A-Z0-9]{6})<')
FORM_RE = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
INPUT_RE = re.compile(r"<input\b([^>]*)>", re.I)
ATTRIBUTE_RE = re.compile(r"([\w-]+)(?:\s*=\s*\"([^\"]*)\")?")
NOT_SENT = {"submit", "button", "reset", "image", "file", "checkbox"}  # unchecked boxes and buttons send nothing

PEERS_DIR = ROOT / "bench" / "peers"
PEER_RESULTS = ROOT / "bench" / "results" / "peers"
PEER_WORKERS = 2
REDIS_URL = "redis://127.0.0.1:6379/15"
TARGET_PEER = {"page": 5.0, "post": 1.5, "pairs": 2.0}  # CoProd's rate over the stronger peer's
TARGET_POST_OF_BARE = 0.10  # CoProd's submissions against a bare view with Django's default middleware
MEASURES = {"page": "page/s", "post": "POST/s", "pairs": "pairs/s"}
BARE = "bare view, default middleware"
BARE_NONE = "bare view, no middleware"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of submissions (default 120)")
    parser.add_argument("--page-seconds", type=float, default=30, help="seconds for each of bare and page rates")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of bare, page and submissions")
    parser.add_argument("--phones", type=int, default=200, help="simulated phones at once (default 200)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765, help="CoProd's port; with --peers the next three too")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="CoProd beside the two peer apps and a bare view, 2 workers each; --duration is then the seconds "
        "of POSTs, and again of GET-then-POST pairs, per app over all rounds",
    )
    return parser.parse_args()


# --- the throwaway databases ---


def recreate_database(name=DB_NAME):
    connection, user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return f"postgres://{user}@{HOST}:5432/{name}", version


def drop_database(name=DB_NAME):
    connection, _user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
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


def migrate_coprod(environment):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=environment, check=True
    )
    subprocess.run(  # as a deploy does: production settings name hashed static files
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=environment, check=True
    )


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
    """CoProd's rows for the survey against the submission keys of the acknowledged submissions."""
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


# --- the servers ---


def start_gunicorn(gunicorn, module, *, workers, port, cwd, environment, log):
    command = [
        str(gunicorn),
        module,
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--backlog",
        "2048",
        "--no-control-socket",  # one control socket per user otherwise: servers running at once would share it
    ]
    return subprocess.Popen(command, cwd=cwd, env=environment, stdout=log, stderr=log)  # noqa: S603


def start_server(environment, workers, port, log):
    """CoProd under gunicorn."""
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    return start_gunicorn(
        gunicorn, "coprod.wsgi", workers=workers, port=port, cwd=ROOT, environment=environment, log=log
    )


async def wait_until_up(url, server, log_path):
    async with aiohttp.ClientSession() as client:
        for _ in range(150):
            if server.poll() is not None:
                sys.exit(f"gunicorn stopped: see {log_path}")
            try:
                async with client.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    sys.exit(f"gunicorn did not answer {url} within 30 s: see {log_path}")


def stop(servers):
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait(timeout=30)


# --- the apps and their forms, as a phone sees them ---


def coprod_receipt(url, status, body):
    """CoProd's thank-you page: the pairing code it shows."""
    match = CODE_RE.search(body) if status == 200 else None
    return match.group(1) if match else None


def peer1_receipt(url, status, body):
    """django-survey-and-report redirects to /survey/confirm/<interview uuid>/: the uuid, once that page shows."""
    match = re.search(r"/survey/confirm/(\w+)/$", url)
    return match.group(1) if status == 200 and match and "Your answers have been saved" in body else None


def peer2_receipt(url, status, body):
    """django-form-surveys redirects to its success page, which shows the "succeeded" message: no id is given."""
    return "success" if status == 200 and "/surveys/success/" in url and "succeeded." in body else None


@dataclass
class App:
    """An app under test: where its form is, and how a phone knows its answers were taken (`receipt` of the
    final url, status and body after a POST: a receipt, or None)."""

    label: str
    port: int
    form_path: str
    receipt: Callable[[str, int, str], str | None]

    @property
    def form_url(self):
        return f"http://{HOST}:{self.port}{self.form_path}"


@dataclass
class Form:
    """A questionnaire as a phone received it: the fields it sends back as they are, the radio buttons it picks
    from, and the cookies the page set."""

    fields: dict
    choices: dict
    cookies: dict

    def filled(self, rng):
        """What a browser sends: every field, one checked radio button per question."""
        return self.fields | {name: rng.choice(values) for name, values in self.choices.items()}


def parse_form(page, cookies):
    """The first form on the page that POSTs and asks radio-button questions, or None."""
    for body in FORM_RE.findall(page):
        fields, choices = {}, {}
        for attributes in INPUT_RE.findall(body):
            attribute = {name.lower(): html.unescape(value) for name, value in ATTRIBUTE_RE.findall(attributes)}
            name, kind = attribute.get("name"), attribute.get("type", "text").lower()
            if not name or kind in NOT_SENT:
                continue
            if kind == "radio":
                choices.setdefault(name, []).append(attribute.get("value", "on"))
            else:
                fields[name] = attribute.get("value", "")
        if choices:
            return Form(fields, choices, cookies)
    return None


def keep_cookies(cookies, response):
    """A phone's cookies after a response: those it set added, those it deleted (max-age 0) gone."""
    for name, morsel in response.cookies.items():
        if morsel["max-age"] == "0":
            cookies.pop(name, None)
        else:
            cookies[name] = morsel.value


def cookie_header(cookies):
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}


async def fetch_form(client, url):
    """GET the questionnaire as a phone opening it for the first time (no cookies yet): its Form, or None."""
    async with client.get(url) as response:
        page = await response.text()
        if response.status != 200:
            return None
        cookies = {}
        keep_cookies(cookies, response)
    return parse_form(page, cookies)


async def post_form(client, url, data, cookies):
    """POST a form as a browser does: with the page's cookies, and a redirect followed by a GET that carries the
    cookies set on the way. Returns the final url, status and body."""
    cookies = dict(cookies)
    method, payload = "POST", data
    for _hop in range(3):
        async with client.request(
            method, url, data=payload, headers=cookie_header(cookies), allow_redirects=False
        ) as response:
            body = await response.text()
            status = response.status
            location = response.headers.get("Location")
            keep_cookies(cookies, response)
        if status not in (301, 302, 303) or not location:
            break
        url, method, payload = urljoin(url, location), "GET", None
    return url, status, body


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
    """Form GETs and acknowledged POSTs over one or more timed stretches, and what each acknowledged one sent."""

    def __init__(self):
        self.pages, self.posts = Tally(), Tally()
        self.acknowledged = []  # (data sent, receipt), one per acknowledged submission
        self.doubles = 0


async def submit_loop(client, app, seconds, phones, run, *, forms=None, double_taps=0.0):
    """Phones that send the app's form, as fast as they can, for `seconds`.

    Every submission is a new phone: it GETs the form, picks an answer to every question and POSTs it with the
    page's cookies, following a redirect as a browser does (GET-then-POST pairs). Given `forms` (fetched
    beforehand by fetch_forms), the phones only POST them, until the time or the forms run out: the submission
    rate. A share `double_taps` of submissions are sent twice at once, like a double tap. A submission is
    acknowledged when every copy gets the app's receipt, the same one.
    """
    pages, posts = run.pages, run.posts
    began = time.monotonic()
    deadline = began + seconds

    async def send(form, data):
        started = time.perf_counter()
        try:
            url, status, body = await post_form(client, app.form_url, data, form.cookies)
        except aiohttp.ClientError:
            return None
        posts.latencies.append(time.perf_counter() - started)
        return app.receipt(url, status, body)

    async def phone(number):
        rng = random.Random(f"{number}-{began}")
        while time.monotonic() < deadline:
            if forms is not None:
                if not forms:
                    break
                form = forms.pop()
            else:
                started = time.perf_counter()
                try:
                    form = await fetch_form(client, app.form_url)
                except aiohttp.ClientError:
                    form = None
                if form is None:
                    pages.errors += 1
                    continue
                pages.latencies.append(time.perf_counter() - started)
                pages.count += 1
            data = form.filled(rng)
            twice = rng.random() < double_taps
            receipts = await asyncio.gather(send(form, data), send(form, data)) if twice else [await send(form, data)]
            run.doubles += twice
            if receipts[0] and len(set(receipts)) == 1:
                run.acknowledged.append((data, receipts[0]))
                posts.count += 1
            else:
                posts.errors += 1

    await asyncio.gather(*(phone(number) for number in range(phones)))
    elapsed = time.monotonic() - began
    pages.seconds += elapsed
    posts.seconds += elapsed


async def fetch_forms(client, app, count, phones):
    """`count` fresh forms of the app (each as a new phone gets it), fetched by `phones` at once and untimed."""
    forms, failures = [], 0

    async def phone():
        nonlocal failures
        while len(forms) < count:
            try:
                form = await fetch_form(client, app.form_url)
            except aiohttp.ClientError:
                form = None
            if form is not None:
                forms.append(form)
            elif (failures := failures + 1) > count:
                sys.exit(f"{app.label}: could not fetch its form from {app.form_url}")

    await asyncio.gather(*(phone() for _ in range(min(phones, count))))
    return forms


def client_session(phones):
    """One aiohttp client for all phones. It keeps no cookies: each phone carries its own (see post_form)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=phones),
        timeout=aiohttp.ClientTimeout(total=60),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def run_load(base, app, args):
    """Bare view, survey page and submissions in interleaved rounds, so that whatever else the machine does
    weighs on all three alike."""
    bare, page, run = Tally(), Tally(), Submissions()
    async with client_session(args.phones) as client:
        await get_loop(client, f"{base}/bench/bare/", 3, args.phones)  # warm up every worker
        await get_loop(client, app.form_url, 2, args.phones)
        for _round in range(args.rounds):
            await get_loop(client, f"{base}/bench/bare/", args.page_seconds / args.rounds, args.phones, bare)
            await get_loop(client, app.form_url, args.page_seconds / args.rounds, args.phones, page)
            await submit_loop(client, app, args.duration / args.rounds, args.phones, run, double_taps=0.05)
    return bare, page, run


def main():
    args = parse_args()
    if args.peers:
        return main_peers(args)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    database_url, version = recreate_database()
    environment = server_environment(database_url)
    migrate_coprod(environment)
    survey = seed(environment)
    base = f"http://{HOST}:{args.port}"
    app = App("CoProd", args.port, f"/s/{survey.token}/", coprod_receipt)
    with open(results / "load_survey.log", "w") as log:
        server = start_server(environment, args.workers, args.port, log)
        try:
            asyncio.run(wait_until_up(f"{base}/bench/bare/", server, log.name))
            bare, page, run = asyncio.run(run_load(base, app, args))
        finally:
            stop([server])
    form, posts, doubles = run.pages, run.posts, run.doubles
    figures = reconcile(survey, {data["submission_key"] for data, _code in run.acknowledged})
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


# --- --peers: the peer apps, each in its own virtual environment ---


@dataclass(frozen=True)
class Peer:
    label: str
    project: str  # its folder in bench/peers/
    requirement: str
    database: str
    receipt: Callable[[str, int, str], str | None]

    @property
    def venv(self):
        return PEER_RESULTS / f"{self.project}-venv"

    @property
    def python(self):
        return self.venv / "bin" / "python"


PEERS = [  # in the order they are measured, after CoProd
    Peer("peer 2", "peer2", "django-form-surveys==2.5.0", "coprod_bench_peer2", peer2_receipt),
    Peer("peer 1", "peer1", "django-survey-and-report==1.5.0", "coprod_bench_peer1", peer1_receipt),
]


def python_311():
    """The machine's Python 3.11, which the peers are measured on (pip resolves Django 5.2 there)."""
    candidates = [
        *sorted(Path.home().glob(".pyenv/versions/3.11.*/bin/python3"), reverse=True),
        shutil.which("python3.11"),
        shutil.which("python3"),
    ]
    for candidate in filter(None, candidates):
        version = subprocess.run(  # noqa: S603
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"], capture_output=True, text=True
        )
        if version.stdout.strip() == "True":
            return str(candidate)
    sys.exit("No Python 3.11 found (tried ~/.pyenv/versions/3.11.*, python3.11, python3).")


def installed(peer):
    """The peer venv's packages as name==version, lower case; empty if there is no such venv."""
    if not peer.python.exists():
        return set()
    freeze = subprocess.run(  # noqa: S603
        [peer.python, "-m", "pip", "freeze"], capture_output=True, text=True
    )
    return {line.strip().lower() for line in freeze.stdout.splitlines()}


def peer_venv(python, peer):
    """Make the peer's venv, or reuse it if it already holds the pinned package, gunicorn and psycopg2."""
    packages = installed(peer)
    names = {line.split("==")[0] for line in packages}
    if peer.requirement.lower() in packages and {"gunicorn", "psycopg2-binary"} <= names:
        return
    print(f"{peer.label}: installing {peer.requirement}, gunicorn and psycopg2-binary into {peer.venv}")
    subprocess.run([python, "-m", "venv", "--clear", peer.venv], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [peer.python, "-m", "pip", "install", "--quiet", peer.requirement, "gunicorn", "psycopg2-binary"], check=True
    )


def peer_environment(peer, user):
    return os.environ | {"DJANGO_SETTINGS_MODULE": f"{peer.project}.settings", "BENCH_DB_USER": user}


def peer_task(peer, user, task, *arguments, log):
    """A task of bench/peers/run.py in the peer's venv, started: read its JSON with finish_task."""
    command = [peer.python, PEERS_DIR / "run.py", peer.project, task, *arguments]
    return subprocess.Popen(  # noqa: S603
        command, cwd=PEERS_DIR, env=peer_environment(peer, user), stdout=subprocess.PIPE, stderr=log, text=True
    )


def finish_task(process, what):
    output, _ = process.communicate()
    if process.returncode:
        sys.exit(f"{what} failed: see {PEER_RESULTS}/tasks.log")
    return json.loads(output.strip().splitlines()[-1])


def versions(python):
    report = subprocess.run(  # noqa: S603
        [python, "-c", "import django, sys; print(f'Django {django.get_version()}, Python {sys.version.split()[0]}')"],
        capture_output=True,
        text=True,
        check=True,
    )
    return report.stdout.strip()


def flush_redis():
    """Empty CoProd's Redis database for the run, if CoProd uses it for its counts."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        sys.exit(f"No Redis at {REDIS_URL}.")


@dataclass
class Round:
    rates: dict = field(default_factory=dict)  # (app label, measure): per second
    errors: dict = field(default_factory=dict)  # app label: failed GETs and POSTs
    load: float = 0.0  # 1-minute load average at the round's end


def stock_size(page, pairs, seconds, phones):
    """Forms enough for `seconds` of POSTs alone, from the round's page and pair rates (the server's time per
    pair less its time per page), with half as much again in hand. If they run out, the stretch ends sooner."""
    pair_rate, page_rate = pairs.posts.rate(), page.rate()
    if pair_rate <= 0:
        return phones
    per_post = 1 / pair_rate - (1 / page_rate if page_rate else 0)
    per_post = max(per_post, 1 / (3 * pair_rate))
    return phones + int(1.5 * seconds / per_post)


async def measure_app(client, app, round_, page_seconds, submit_seconds, phones):
    """One app's turn in a round: its form page, GET-then-POST pairs, then POSTs of forms fetched beforehand.
    Returns what was acknowledged."""
    page = await get_loop(client, app.form_url, page_seconds, phones)
    pairs = Submissions()
    await submit_loop(client, app, submit_seconds, phones, pairs)
    forms = await fetch_forms(client, app, stock_size(page, pairs, submit_seconds, phones), phones)
    post = Submissions()
    await submit_loop(client, app, submit_seconds, phones, post, forms=forms)
    round_.rates |= {
        (app.label, "page"): page.rate(),
        (app.label, "post"): post.posts.rate(),
        (app.label, "pairs"): pairs.posts.rate(),
    }
    round_.errors[app.label] = page.errors + pairs.pages.errors + pairs.posts.errors + post.posts.errors
    return pairs.acknowledged + post.acknowledged


async def run_peers(apps, bare_urls, args):
    """Rounds of CoProd, peer 2, peer 1 and the bare views, one after another, so that whatever else the machine
    does weighs on all alike. Returns the rounds and every app's acknowledged submissions."""
    acknowledged = {app.label: [] for app in apps}
    page_seconds, submit_seconds = args.page_seconds / args.rounds, args.duration / args.rounds
    rounds = []
    async with client_session(args.phones) as client:
        for app in apps:  # warm up every worker: imports, templates, connections
            await get_loop(client, app.form_url, 2, args.phones)
            warm = Submissions()
            await submit_loop(client, app, 2, args.phones, warm)
            acknowledged[app.label] += warm.acknowledged
        for url in bare_urls.values():
            await get_loop(client, url, 2, args.phones)
        for _number in range(args.rounds):
            round_ = Round()
            for app in apps:
                acknowledged[app.label] += await measure_app(
                    client, app, round_, page_seconds, submit_seconds, args.phones
                )
            for label, url in bare_urls.items():
                bare = await get_loop(client, url, page_seconds, args.phones)
                round_.rates[(label, "page")] = bare.rate()
                round_.errors[label] = bare.errors
            round_.load = os.getloadavg()[0]
            rounds.append(round_)
            print_round(round_, len(rounds), args.rounds, [app.label for app in apps])
    return rounds, acknowledged


def ratio(rate, other):
    return rate / other if other else float("nan")  # an app that answered nothing: its errors say why


def ratio_rows(rates, labels):
    """CoProd's rate over each peer's and over the bare view's (default middleware), per measure."""
    rows = {}
    for label in [*labels[1:], BARE]:
        rows[f"CoProd / {label}"] = {
            measure: ratio(rates[("CoProd", measure)], rates[(label, "page" if label == BARE else measure)])
            for measure in MEASURES
        }
    return rows


def print_table(rates, ratios, labels, errors=None):
    """Each app's rates (and failed requests), then CoProd's ratios: over a peer as 4.20x, over bare as 0.160."""
    print(f"{'':40}" + "".join(f"{heading:>10}" for heading in MEASURES.values()) + ("  errors" if errors else ""))
    for label in [*labels, BARE, BARE_NONE]:
        cells = "".join(f"{rates[(label, m)]:10.1f}" if (label, m) in rates else f"{'':10}" for m in MEASURES)
        print(f"{label:40}{cells}" + (f"{errors[label]:8d}" if errors else ""))
    for name, row in ratios.items():
        form = "{:9.3f} " if BARE in name else "{:9.2f}x"
        print(f"{name:40}" + "".join(form.format(row[m]) for m in MEASURES))


def print_round(round_, number, rounds, labels):
    print(f"\nround {number} of {rounds}, load average {round_.load:.2f} (1 min) at its end")
    print_table(round_.rates, ratio_rows(round_.rates, labels), labels, round_.errors)
    sys.stdout.flush()  # a long run shows each round as it ends


def medians(rounds, labels):
    """Median rates over rounds, and the median of each round's ratios (not the ratio of the medians)."""
    rates = {key: statistics.median(r.rates[key] for r in rounds) for key in rounds[0].rates}
    per_round = [ratio_rows(r.rates, labels) for r in rounds]
    ratios = {
        name: {m: statistics.median(rows[name][m] for rows in per_round) for m in MEASURES} for name in per_round[0]
    }
    return rates, ratios


def print_medians_and_targets(rounds, labels):
    rates, ratios = medians(rounds, labels)
    loads = ", ".join(f"{r.load:.2f}" for r in rounds)
    print(f"\nmedians over {len(rounds)} rounds (load average at each round's end: {loads})")
    print_table(rates, ratios, labels)
    print("\ntargets (medians of the rounds' ratios):")
    for measure, target in TARGET_PEER.items():
        stronger = max(labels[1:], key=lambda label: rates[(label, measure)])
        ratio = ratios[f"CoProd / {stronger}"][measure]
        verdict = "met" if ratio >= target else "missed"
        print(f"  {MEASURES[measure]:8} >= {target}x the stronger peer ({stronger}): {ratio:.2f}x, {verdict}")
    ratio = ratios[f"CoProd / {BARE}"]["post"]
    verdict = "met" if ratio >= TARGET_POST_OF_BARE else "missed"
    print(f"  POST/s   >= {TARGET_POST_OF_BARE:.0%} of the {BARE}'s GET/s: {ratio:.1%}, {verdict}")


def coprod_round_trips(app):
    """SQL round trips of a new phone's GET of CoProd's form and its POST, counted in this process by Django's
    test client, the second of two such visits (as in a worker that has served the form before)."""
    from django.test import Client
    from peers.roundtrips import RoundTrips

    logging.disable(logging.INFO)  # each request's log line would go to the terminal
    for visit in range(2):
        client = Client(HTTP_HOST=HOST)
        with RoundTrips() as page:
            got = client.get(app.form_path)
        data = parse_form(got.content.decode(), {}).filled(random.Random(visit))
        with RoundTrips() as submission:
            sent = client.post(app.form_path, data)
        if not coprod_receipt("", sent.status_code, sent.content.decode()):
            sys.exit("CoProd: the counted submission was not acknowledged")
    logging.disable(logging.NOTSET)
    return {"page": page.summary(), "submission": submission.summary()}


def describe(counts):
    statements, transactions = counts["statements"], counts["transactions"]
    how = f"in {transactions} transaction{'s' * (transactions > 1)}" if transactions else "autocommit"
    return f"{counts['round_trips']} ({statements} statement{'s' * (statements > 1)}, {how})"


def print_round_trips(round_trips):
    print(
        "\nSQL round trips of one new phone's visit (statements, plus BEGIN and COMMIT per transaction; no app "
        "health-checks its connection):"
    )
    for label, counts in round_trips.items():
        line = f"  {label:8} page {describe(counts['page'])}; submission {describe(counts['submission'])}"
        if "after_redirect" in counts:
            line += f"; then {describe(counts['after_redirect'])} for the page it redirects to"
        print(line)


def reconcile_peers(acknowledged, user, log):
    """Each peer's stored rows against its acknowledged submissions (counted in its own venv)."""
    figures = {}
    for peer in PEERS:
        receipts = PEER_RESULTS / f"{peer.project}-receipts.json"
        receipts.write_text(json.dumps([receipt for _data, receipt in acknowledged[peer.label]]))
        figures[peer.label] = finish_task(
            peer_task(peer, user, "reconcile", str(receipts), log=log), f"{peer.label} reconcile"
        )
    return figures


def print_reconciliation(figures):
    print("\nreconciliation (acknowledged submissions against rows stored, beside each app's seeded rows):")
    ok = True
    for label, figure in figures.items():
        matches = (
            figure["acknowledged"] == figure["stored"]
            and figure.get("duplicates", 0) == 0
            and figure.get("acknowledged_not_stored", 0) == 0
            and figure.get("stored_not_acknowledged", 0) == 0
            and figure["answers_per_response"] == [10]
        )
        ok &= matches
        details = "".join(
            f", {name.replace('_', ' ')} {figure[key]}"
            for key, name in [
                ("duplicates", "duplicates"),
                ("acknowledged_not_stored", "acknowledged but not stored"),
                ("stored_not_acknowledged", "stored but not acknowledged"),
            ]
            if key in figure
        )
        if "acknowledged_not_stored" not in figure:
            details += " (compared by number: the app gives a phone no id for what it stored)"
        print(
            f"  {label:8} acknowledged {figure['acknowledged']}, stored {figure['stored']}{details}, answers per "
            f"response {figure['answers_per_response']}: {'OK' if matches else 'MISMATCH'}"
        )
    return ok


def prepare(args, user, tasks_log):
    """The venvs, the databases and their surveys: CoProd's migrated and seeded while the peers load theirs.
    Returns CoProd's survey, its server environment and the apps (CoProd first, then the peers)."""
    python = python_311()
    for peer in PEERS:
        peer_venv(python, peer)
    flush_redis()
    seeds = {}
    for peer in PEERS:
        recreate_database(peer.database)
        seeds[peer.label] = peer_task(peer, user, "seed", log=tasks_log)
    database_url, version = recreate_database()
    environment = server_environment(database_url) | {"REDIS_URL": REDIS_URL}
    migrate_coprod(environment)
    survey = seed(environment)
    apps = [App("CoProd", args.port, f"/s/{survey.token}/", coprod_receipt)]
    for number, peer in enumerate(PEERS, start=1):
        seeded = finish_task(seeds[peer.label], f"{peer.label} seed")
        apps.append(App(peer.label, args.port + number, seeded["form_path"], peer.receipt))
    return survey, environment, apps, version


def print_header(args, version):
    import django

    per_round = args.duration / args.rounds
    print(
        f"CoProd beside its peers: gunicorn {PEER_WORKERS} sync workers each, all served at once; PostgreSQL "
        f"{version}; {args.phones} phones; {os.cpu_count()} cores, client and servers on this machine\n"
        f"  CoProd: Django {django.get_version()}, Python {sys.version.split()[0]}, REDIS_URL={REDIS_URL}\n"
        + "".join(f"  {peer.label}: {peer.requirement}, {versions(peer.python)}\n" for peer in PEERS)
        + "  bare views: their own project (bench/peers/bare) on CoProd's Django and Python\n"
        f"  each app, each round: {args.page_seconds / args.rounds:.0f} s of page GETs, {per_round:.0f} s of "
        f"GET-then-POST pairs, {per_round:.0f} s of POSTs of forms fetched beforehand",
        flush=True,
    )


def start_servers(apps, bare_port, environment, user, logs):
    """Every app's gunicorn, and the bare views', at once: label -> process."""
    servers = {"CoProd": start_server(environment, PEER_WORKERS, apps[0].port, logs["CoProd"])}
    for app, peer in zip(apps[1:], PEERS, strict=True):
        servers[peer.label] = start_gunicorn(
            peer.venv / "bin" / "gunicorn",
            f"{peer.project}.wsgi",
            workers=PEER_WORKERS,
            port=app.port,
            cwd=PEERS_DIR,
            environment=peer_environment(peer, user),
            log=logs[peer.label],
        )
    servers[BARE] = start_gunicorn(
        ROOT / ".venv" / "bin" / "gunicorn",
        "bare.wsgi",
        workers=PEER_WORKERS,
        port=bare_port,
        cwd=PEERS_DIR,
        environment=os.environ | {"DJANGO_SETTINGS_MODULE": "bare.settings"},
        log=logs[BARE],
    )
    return servers


def measure_all(args, apps, environment, user):
    """Serve everything, wait for every server, run the rounds, stop the servers: the rounds and what each app
    acknowledged."""
    bare_port = args.port + len(apps)
    bare = f"http://{HOST}:{bare_port}/bench"
    bare_urls = {BARE: f"{bare}/bare/", BARE_NONE: f"{bare}/bare-no-middleware/"}
    logs = {label: PEER_RESULTS / f"{label.replace(' ', '')}.log" for label in [app.label for app in apps]}
    logs[BARE] = PEER_RESULTS / "bare.log"
    logs = {label: open(path, "w") for label, path in logs.items()}  # noqa: SIM115 - closed below
    servers = start_servers(apps, bare_port, environment, user, logs)
    try:
        for app in apps:
            asyncio.run(wait_until_up(app.form_url, servers[app.label], logs[app.label].name))
        asyncio.run(wait_until_up(bare_urls[BARE], servers[BARE], logs[BARE].name))
        return asyncio.run(run_peers(apps, bare_urls, args))
    finally:
        stop(list(servers.values()))
        for log in logs.values():
            log.close()


def main_peers(args):
    """CoProd, the two peers and the bare views side by side: prepare, measure, report, reconcile, count."""
    PEER_RESULTS.mkdir(parents=True, exist_ok=True)
    connection, user = admin_connection()
    connection.close()
    with open(PEER_RESULTS / "tasks.log", "w") as tasks_log:
        survey, environment, apps, version = prepare(args, user, tasks_log)
        print_header(args, version)
        rounds, acknowledged = measure_all(args, apps, environment, user)
        print_medians_and_targets(rounds, [app.label for app in apps])
        keys = {data["submission_key"] for data, _code in acknowledged["CoProd"]}
        figures = {"CoProd": reconcile(survey, keys)} | reconcile_peers(acknowledged, user, tasks_log)
        ok = print_reconciliation(figures)
        # Counted after reconciling: the counted visits store submissions too.
        round_trips = {"CoProd": coprod_round_trips(apps[0])}
        for peer in PEERS:
            task = peer_task(peer, user, "round_trips", log=tasks_log)
            round_trips[peer.label] = finish_task(task, f"{peer.label} round trips")
        print_round_trips(round_trips)

    from django.db import connections

    connections.close_all()
    if not args.keep:
        for name in [DB_NAME, *(peer.database for peer in PEERS)]:
            drop_database(name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
