"""Two app servers behind nginx, one killed mid-run: nothing lost, nothing doubled, nobody signed out. By hand.

    .venv/bin/python bench/two_instances.py [--duration 60] [--phones 200] [--keep] [--install]

Needs nginx (`apt-get install -y nginx-light`; --install runs it), Redis on 127.0.0.1:6379 (started if down)
and PostgreSQL on 127.0.0.1:5432 with trust authentication, as bench/load_survey.py does. It creates a throwaway
database (coprod_two), seeds two open questionnaires and a partnership lead with an authenticator app, and runs
two gunicorn instances (2 sync workers each, production settings, one DATABASE_URL, REDIS_URL on Redis db 14)
behind nginx on 127.0.0.1. Then:

1. the rate limit across instances: SURVEY_RATE_LIMIT=300/10m, 600 submissions at once from one address
   through nginx, both instances up: exactly 300 stored and 300 answered 429;
2. restarted with the limit lifted: the lead logs in through nginx (password, then a code from the app), and
   200 phones fetch the form and send answers for --duration seconds; half way, one instance (the one that
   served the lead's page) is killed with SIGKILL, master and workers. A phone that gets an error sends the same
   form again (same submission key), as a real phone does. The lead's page is fetched again several times
   after the kill: it must stay signed in, served by the survivor.

It prints the requests each instance answered (from nginx's access log), the errors phones saw, and the
reconciliation: every acknowledged submission stored once, none doubled. Exit 1 if a check fails, 2 if a tool
is missing. Only 127.0.0.1 is contacted; servers, nginx and the database are removed at the end (--keep keeps
the database). Logs and nginx's configuration are in bench/results/two_instances/.
"""

import argparse
import asyncio
import collections
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import redis
from load_survey import (
    ROOT,
    Tally,
    coprod_receipt,
    drop_database,
    get_loop,
    migrate_coprod,
    parse_form,
    reconcile,
    recreate_database,
    seed,
    server_environment,
)
from postgres import HOST

DB_NAME = "coprod_two"
REDIS_URL = f"redis://{HOST}:6379/14"
PROXY_PORT, APP_PORTS = 8780, (8781, 8782)
WORKERS = 2
RATE_LIMIT, RATE_POSTS = "300/10m", 600
LIFTED_LIMIT = "100000000/m"  # every phone shares 127.0.0.1: lift it, but still count (in Redis)
RETRIES, RETRY_PAUSE = 3, 0.5  # a phone sends a form that failed again, a few times, a moment apart
SIGNED_IN_CHECKS = 10
LEAD_USERNAME, LEAD_NAME = "bench-lead", "Bench Lead"
RESULTS = ROOT / "bench" / "results" / "two_instances"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NGINX_FAILURES = {"502", "504"}
LOG_LINE = re.compile(r'(\S+) \S+ \S+ "([^"]*)" "([^"]*)"')  # nginx's "tries" format below
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]

NGINX_CONF = """\
# Written by bench/two_instances.py: nginx in front of two CoProd app servers (docs/operations.md, "Scale out").
daemon off;
worker_processes 1;
worker_rlimit_nofile 8192;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    # Method, status and each app server tried with its status ("a, b" when nginx moved on to the other).
    # No paths: public questionnaire paths hold the survey's token.
    log_format tries '$msec $request_method $status "$upstream_addr" "$upstream_status"';
    access_log {prefix}/access.log tries;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    upstream coprod {{
{servers}
    }}
    server {{
        listen {host}:{port};
        proxy_set_header Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        # Stands in for the TLS terminator of a deployment: the app sees HTTPS, as in production.
        proxy_set_header X-Forwarded-Proto https;
        proxy_connect_timeout 2s;
        add_header X-Upstream $upstream_addr always;

        # A questionnaire POST that reached a server as it died may or may not have been stored. Sending it to
        # the other server is safe because the submission key stores one response per key, and a repeat gets
        # the same thank-you page.
        location /s/ {{
            proxy_pass http://coprod;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
        }}
        # Staff forms carry no such key, so nginx retries only GETs and HEADs there (its default).
        location / {{
            proxy_pass http://coprod;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


class Failed(Exception):
    """A check that must hold did not: the run goes on to clean up, then exits 1."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of submissions (default 60)")
    parser.add_argument("--phones", type=int, default=200, help="simulated phones at once (default 200)")
    parser.add_argument("--keep", action="store_true", help="keep the coprod_two database afterwards")
    parser.add_argument("--install", action="store_true", help="install nginx (and Redis) with apt-get if missing")
    return parser.parse_args()


# --- the tools: nginx, Redis, PostgreSQL ---


def tool(name, package, install):
    """The path of a program, installed with apt-get only when asked to: never silently."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path:
        return path
    if not install:
        print(f"{name} is missing: apt-get install -y {package} (or run again with --install)", file=sys.stderr)
        sys.exit(2)
    print(f"installing {package} with apt-get", flush=True)
    subprocess.run(["apt-get", "update", "-q"], check=True)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-q", package], check=True)  # noqa: S603, S607
    return shutil.which(name, path="/usr/sbin:/usr/bin")


def redis_up(install):
    """Redis on 127.0.0.1:6379, started (as CI starts it) if it is down: its version."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        return client.info("server")["redis_version"]
    except redis.ConnectionError:
        pass
    tool("redis-server", "redis-server", install)
    print("Redis is down: starting it", flush=True)
    subprocess.run(REDIS_START, check=True)  # noqa: S603
    for _ in range(50):
        try:
            return client.info("server")["redis_version"]
        except redis.ConnectionError:
            time.sleep(0.1)
    sys.exit("Redis did not start: see /var/log/redis/ci.log")


def redis_flush():
    """A fresh Redis db 14: no rate-limit count or cached page left from an earlier phase or run."""
    redis.Redis.from_url(REDIS_URL).flushdb()


# --- the data: two questionnaires and a lead ---


def seed_all(environment):
    """load_survey's open 10-statement questionnaire for the phones, a second one (another session of the same
    partnership) for the rate limit, and a lead with an authenticator app."""
    survey = seed(environment)  # also sets Django up in this process, on the throwaway database
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coprod.models import Membership, Role, User
    from surveys import services
    from workshops.models import Session

    first = survey.session
    session = Session.objects.create(
        partnership=first.partnership,
        title="Rate limit session",
        date=first.date,
        start_time=first.start_time,
        end_time=first.end_time,
        venue=first.venue,
    )
    limited = services.survey_create(session=session, phase="pre", template=survey.template)
    password = secrets.token_urlsafe(16)
    first_name, last_name = LEAD_NAME.split()
    lead = User.objects.create_user(
        username=LEAD_USERNAME, password=password, first_name=first_name, last_name=last_name
    )
    Membership.objects.create(user=lead, partnership=first.partnership, role=Role.LEAD)
    device = TOTPDevice.objects.create(user=lead, name="Authenticator app", confirmed=True)
    return survey, limited, password, device


def stored(survey):
    from surveys.models import Response

    return Response.objects.filter(survey=survey).count()


# --- the servers ---


class Instance:
    """One gunicorn (master and workers in a process group of their own, so that they can be killed together)."""

    def __init__(self, port, environment, log):
        self.port = port
        self.address = f"{HOST}:{port}"
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "coprod.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            self.address,
            "--backlog",
            "2048",
            "--no-control-socket",  # one control socket per user otherwise: the two instances would share it
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=environment, stdout=log, stderr=log, start_new_session=True
        )

    def kill(self):
        """SIGKILL to the master and its workers at once, as when a machine dies: nothing finishes a request."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful stop: workers finish their requests
            self.process.wait(timeout=60)


def start_instances(environment, log):
    return [Instance(port, environment, log) for port in APP_PORTS]


def stop_instances(instances):
    for instance in instances:
        instance.stop()


async def wait_until_up(instances):
    async with aiohttp.ClientSession() as client:
        for instance in instances:
            for _ in range(300):
                if instance.process.poll() is not None:
                    sys.exit(f"gunicorn on {instance.address} stopped: see {RESULTS / 'gunicorn.log'}")
                try:
                    async with client.get(f"http://{instance.address}/accounts/login/") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
            else:
                sys.exit(f"gunicorn on {instance.address} did not answer within 60 s")


def start_nginx(nginx):
    prefix = RESULTS / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "access.log").unlink(missing_ok=True)
    servers = "\n".join(f"        server {HOST}:{port};" for port in APP_PORTS)
    config = prefix / "nginx.conf"
    config.write_text(NGINX_CONF.format(prefix=prefix, servers=servers, host=HOST, port=PROXY_PORT))
    # -e: nginx opens its compiled-in error log before reading the configuration; keep that in the prefix too.
    command = [nginx, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(50):
        if process.poll() is not None:
            sys.exit(f"nginx stopped: see {prefix / 'error.log'}")
        try:
            with socket.create_connection((HOST, PROXY_PORT), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    sys.exit("nginx did not listen within 5 s")


def nginx_version(nginx):
    output = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=True)  # noqa: S603
    return output.stderr.strip().removeprefix("nginx version: ")


def requests_per_instance(start, end, kill_at=None):
    """From nginx's access log, per app server: requests it answered, and tries that failed there (then went on to
    the other server, or, where nginx may not retry, came back to the phone as a 502); before and after the kill."""
    answered = collections.Counter()
    failed = collections.Counter()
    for line in (RESULTS / "nginx" / "access.log").read_text().splitlines():
        moment, addresses, statuses = LOG_LINE.fullmatch(line).groups()
        moment = float(moment)
        if not start <= moment <= end:
            continue
        when = "after" if kill_at is not None and moment >= kill_at else "before"
        for address, status in zip(addresses.split(", "), statuses.split(", "), strict=True):
            # nginx logs 502 (504) for a server it could not reach or that did not answer; gunicorn sends neither.
            if status in NGINX_FAILURES:
                failed[address, when] += 1
            else:
                answered[address, when] += 1
    return answered, failed


# --- phones and the lead ---


def phone_client(connections):
    """Phones keep no cookie: each is a new attendee, never "this device has answered already"."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def attempt(client, method, url, errors, data=None):
    """One request: (status, body), or (None, "") when the connection failed; errors are counted by kind."""
    try:
        async with client.request(method, url, data=data) as response:
            body = await response.text()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        errors[f"{method} {type(error).__name__}"] += 1
        return None, ""
    if status != 200:
        errors[f"{method} {status}"] += 1
    return status, body


class Phones:
    def __init__(self):
        self.forms, self.posts = Tally(), Tally()
        self.acknowledged = set()
        self.errors = collections.Counter()
        self.resent = self.given_up = self.doubles = 0


async def phones_run(client, url, seconds, phones, run):
    """Phones that fetch the form and send it, as fast as they can; about one in twenty sends it twice at once (a
    double tap). A failed send is sent again, same form and key, up to RETRIES times."""
    began = time.monotonic()
    deadline = began + seconds

    async def fetch_form():
        """The questionnaire as load_survey parses it (hidden key and hand-out stamp, radio buttons), or None."""
        for _try in range(1 + RETRIES):
            status, html = await attempt(client, "GET", url, run.errors)
            form = parse_form(html, {}) if status == 200 else None
            if form:
                return form
            await asyncio.sleep(RETRY_PAUSE)
        return None

    async def send(data):
        """The pairing code on the thank-you page, or None once every try failed."""
        for number in range(1 + RETRIES):
            run.resent += number > 0
            status, body = await attempt(client, "POST", url, run.errors, data=data)
            code = coprod_receipt(url, status, body)
            if code:
                return code
            if status == 200:
                run.errors["POST 200 without a thank-you page"] += 1
            await asyncio.sleep(RETRY_PAUSE)
        return None

    async def phone(number):
        rng = random.Random(number)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            form = await fetch_form()
            if form is None:
                run.forms.errors += 1
                continue
            run.forms.latencies.append(time.perf_counter() - started)
            run.forms.count += 1
            data = form.filled(rng)
            twice = rng.random() < 0.05
            run.doubles += twice
            started = time.perf_counter()
            codes = await asyncio.gather(send(data), send(data)) if twice else [await send(data)]
            # Acknowledged: every copy got the thank-you page, with the same pairing code.
            if all(codes) and len(set(codes)) == 1:
                run.acknowledged.add(data["submission_key"])
                run.posts.count += 1
                run.posts.latencies.append(time.perf_counter() - started)
            else:
                run.posts.errors += 1
                run.given_up += 1

    await asyncio.gather(*(phone(number) for number in range(phones)))
    elapsed = time.monotonic() - began
    run.forms.seconds += elapsed
    run.posts.seconds += elapsed


async def rate_limit_run(url):
    """RATE_POSTS forms fetched, then all sent at once from one address: the statuses of the answers."""
    errors = collections.Counter()
    async with phone_client(100) as client:
        pages = await asyncio.gather(*(attempt(client, "GET", url, errors) for _ in range(RATE_POSTS)))
    if errors:
        raise Failed(f"fetching {RATE_POSTS} forms: {dict(errors)}")
    rng = random.Random(0)
    forms = [parse_form(html, {}).filled(rng) for _status, html in pages]
    async with phone_client(RATE_POSTS) as client:
        answers = await asyncio.gather(*(attempt(client, "POST", url, errors, data=data) for data in forms))
    statuses = collections.Counter()
    for status, body in answers:
        statuses["thanks" if coprod_receipt(url, status, body) else status] += 1
    return statuses


class Lead:
    """The partnership lead in a browser: cookies kept, as over HTTPS (nginx tells the app it is)."""

    def __init__(self, base, password, device):
        self.base, self.password, self.device = base, password, device
        self.origin = f"https://{base.removeprefix('http://')}"
        self.client = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base]),
            timeout=aiohttp.ClientTimeout(total=60),
        )

    async def close(self):
        await self.client.close()

    async def _post_form(self, path, fields):
        """GET the page, POST the form with its CSRF token: where it redirects to."""
        async with self.client.get(f"{self.base}{path}") as response:
            token = CSRF_RE.search(await response.text())
        if token is None:
            raise Failed(f"no CSRF token on {path} ({response.status})")
        data = {"csrfmiddlewaretoken": token.group(1)} | fields
        headers = {"Origin": self.origin}  # as a browser sends with every POST
        async with self.client.post(f"{self.base}{path}", data=data, headers=headers, allow_redirects=False) as answer:
            if answer.status != 302:
                raise Failed(f"POST {path} answered {answer.status}, not a redirect")
            return answer.headers["Location"]

    async def log_in(self):
        """Password, then the code the authenticator app shows now."""
        from django_otp.oath import totp

        step = await self._post_form("/accounts/login/", {"username": LEAD_USERNAME, "password": self.password})
        if step != "/accounts/login/code/":
            raise Failed(f"the password step sent the lead to {step}, not the code step")
        device = self.device
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
        home = await self._post_form("/accounts/login/code/", {"code": code})
        if home != "/":
            raise Failed(f"the code step sent the lead to {home}, not home")

    async def home(self):
        """(signed in, the app server that answered, status) for the lead's home page."""
        try:
            async with self.client.get(f"{self.base}/", allow_redirects=False) as response:
                body = await response.text()
                upstream = response.headers.get("X-Upstream", "?").split(", ")[-1]
                signed_in = response.status == 200 and f'class="account-name">{LEAD_NAME}<' in body
                return signed_in, upstream, response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            return False, "?", type(error).__name__


async def load_run(base, token, instances, lead, args):
    """Phones for --duration seconds; half way, the instance that served the lead's page is killed."""
    url = f"{base}/s/{token}/"
    run = Phones()
    events = {}

    async def kill_half_way():
        await asyncio.sleep(args.duration / 2)
        signed_in, upstream, status = await lead.home()
        events["before"] = (signed_in, upstream, status)
        victim = next((instance for instance in instances if instance.address == upstream), instances[0])
        events["killed"] = victim.address
        events["kill_at"] = time.time()
        victim.kill()
        events["kill_second"] = time.monotonic() - began
        events["after"] = []
        for _ in range(SIGNED_IN_CHECKS):
            events["after"].append(await lead.home())
            await asyncio.sleep(0.5)

    async with phone_client(args.phones) as client:
        await get_loop(client, url, 2, args.phones)  # warm up every worker of both instances
        began = time.monotonic()
        await asyncio.gather(phones_run(client, url, args.duration, args.phones, run), kill_half_way())
    return run, events


# --- the run ---


def main():
    args = parse_args()
    nginx = tool("nginx", "nginx-light", args.install)
    redis_version = redis_up(args.install)
    RESULTS.mkdir(parents=True, exist_ok=True)
    database_url, pg_version = recreate_database(DB_NAME)
    base_environment = server_environment(database_url) | {
        "REDIS_URL": REDIS_URL,
        "CLIENT_IP_META_KEY": "HTTP_X_REAL_IP",
        "ALLOWED_HOSTS": HOST,
    }
    migrate_coprod(base_environment)
    survey, limited, password, device = seed_all(base_environment)
    base = f"http://{HOST}:{PROXY_PORT}"
    print(
        f"CoProd on two app servers behind nginx {nginx_version(nginx)}: gunicorn {WORKERS} sync workers each, "
        f"PostgreSQL {pg_version}, Redis {redis_version}, {os.cpu_count()} cores, client and servers on this machine",
        flush=True,
    )
    failures = []
    proxy = start_nginx(nginx)
    try:
        with open(RESULTS / "gunicorn.log", "w") as log:
            failures += rate_limit_phase(base, limited, base_environment, log)
            failures += load_phase(base, survey, password, device, base_environment, log, args)
    except Failed as failure:
        failures.append(str(failure))
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(DB_NAME)
    for failure in failures:
        print(f"FAILED: {failure}")
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


def rate_limit_phase(base, survey, base_environment, log):
    """SURVEY_RATE_LIMIT on both instances, counted in the one Redis: exactly the limit gets through."""
    from coprod.limits import parse

    limit, period = parse(RATE_LIMIT)
    # The limit counts in windows aligned to the clock (coprod.limits): start well inside one.
    left = period - time.time() % period
    if left < 60:
        print(f"waiting {left:.0f} s for the next rate-limit window", flush=True)
        time.sleep(left + 1)
    redis_flush()
    instances = start_instances(base_environment | {"SURVEY_RATE_LIMIT": RATE_LIMIT}, log)
    try:
        asyncio.run(wait_until_up(instances))
        started = time.time()
        statuses = asyncio.run(rate_limit_run(f"{base}/s/{survey.token}/"))
        ended = time.time()
    finally:
        stop_instances(instances)
    answered, failed = requests_per_instance(started, ended)
    rows = stored(survey)
    ok = statuses == {"thanks": limit, 429: RATE_POSTS - limit} and rows == limit
    expected = f"{limit} thank-you pages, {RATE_POSTS - limit} answered 429 and {limit} stored"
    failures = [] if ok else [f"rate limit: answers {dict(statuses)} and {rows} stored, not {expected}"]
    print(f"\nrate limit across instances: SURVEY_RATE_LIMIT={RATE_LIMIT}, {RATE_POSTS} posts at once from one address")
    print(
        f"  answered: thank-you page {statuses.pop('thanks', 0)}, 429 {statuses.pop(429, 0)}, other {dict(statuses)}"
        f"; stored {rows}: " + ("OK" if ok else "MISMATCH")
    )
    print(
        "  requests answered by each instance (GETs and POSTs): "
        + ", ".join(f"{address} {answered[address, 'before']}" for address in _addresses())
        + f"; tries that failed: {sum(failed.values())}"
    )
    return failures


def load_phase(base, survey, password, device, base_environment, log, args):
    """Phones through nginx while one instance dies; the lead stays signed in."""
    redis_flush()
    instances = start_instances(base_environment | {"SURVEY_RATE_LIMIT": LIFTED_LIMIT}, log)
    try:
        asyncio.run(wait_until_up(instances))
        run, events, login = asyncio.run(signed_in_load(base, survey.token, instances, password, device, args))
        ended = time.time()
    finally:
        stop_instances(instances)
    failures = []
    figures = reconcile(survey, run.acknowledged)
    ok = (
        figures["duplicates"] == 0
        and figures["acknowledged_not_stored"] == 0
        and figures["answers_per_response"] == [10]
    )
    if not ok:
        failures.append("submissions lost or doubled")
    killed, kill_at = events["killed"], events["kill_at"]
    print(
        f"\nload: {args.phones} phones for {args.duration:.0f} s through nginx; {killed} killed (SIGKILL, master and "
        f"workers) at {events['kill_second']:.1f} s"
    )
    print(f"{'':34} {'rate/s':>9} {'median ms':>10} {'p95 ms':>8} {'failed':>7}")
    for label, tally in [("form GET", run.forms), ("submissions POST (acknowledged)", run.posts)]:
        print(f"{label:34} {tally.rate():9.1f} {tally.median_ms():10.1f} {tally.p95_ms():8.1f} {tally.errors:7d}")
    answered, failed = requests_per_instance(login, ended, kill_at)
    print("  requests per instance (nginx access log): answered / tries that failed there")
    for address in _addresses():
        print(
            f"    {address}{' (killed)' if address == killed else '':9}  before the kill "
            f"{answered[address, 'before']:6d} / {failed[address, 'before']:d}, after "
            f"{answered[address, 'after']:6d} / {failed[address, 'after']:d}"
        )
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted(run.errors.items())) or "none"
    print(
        f"  errors seen by phones: {errors}; forms sent again (same key): {run.resent}, "
        f"given up after {RETRIES} retries: {run.given_up}, double taps sent: {run.doubles}"
    )
    print(
        f"  reconciliation: acknowledged {figures['acknowledged']}, stored {figures['stored']}, duplicates "
        f"{figures['duplicates']}, acknowledged but not stored {figures['acknowledged_not_stored']}, stored but not "
        f"acknowledged {figures['stored_not_acknowledged']}, answers {figures['answers']} (per response: "
        f"{figures['answers_per_response']}): " + ("OK" if ok else "MISMATCH")
    )
    before_ok, before_upstream, _status = events["before"]
    after = events["after"]
    survivors = collections.Counter(upstream for _signed_in, upstream, _status in after)
    after_ok = all(signed_in for signed_in, _upstream, _status in after) and killed not in survivors
    print(
        f"  signed-in lead: logged in through nginx (password and authenticator code); home page before the kill "
        f"from {before_upstream}: {'signed in' if before_ok else 'NOT signed in'}; after the kill "
        f"{sum(signed_in for signed_in, _u, _s in after)} of {len(after)} signed in, served by {dict(survivors)}: "
        + ("OK" if before_ok and after_ok else "FAILED")
    )
    if not (before_ok and after_ok):
        failures.append(f"lead's session: before {events['before']}, after {after}")
    return failures


async def signed_in_load(base, token, instances, password, device, args):
    lead = Lead(base, password, device)
    try:
        login = time.time()
        await lead.log_in()
        run, events = await load_run(base, token, instances, lead, args)
    finally:
        await lead.close()
    return run, events, login


def _addresses():
    return [f"{HOST}:{port}" for port in APP_PORTS]


if __name__ == "__main__":
    sys.exit(main())
