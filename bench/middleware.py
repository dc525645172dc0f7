"""What each middleware costs a request: the bare view and the attendee's page through Django's WSGI handler.

In one process, no server and no network: each layer's cost is the time with the full stack minus the time with
that layer taken out, so the figures say which layers are worth narrowing. Also prints the database round trips of
the attendee's page and of a submission.

    .venv/bin/python bench/middleware.py            # a throwaway SQLite database, 300 requests a round
    .venv/bin/python bench/middleware.py --requests 1000
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DJANGO_DEFAULT = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def setup():
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="coprod.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret",  # noqa: S106
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        BENCH_BARE_VIEW="1",
        DATABASE_URL=f"sqlite:///{database}",
        SURVEY_RATE_LIMIT="100000000/m",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def seed_survey():
    """One open 10-statement questionnaire, as bench/load_survey.py seeds it."""
    from surveys import services
    from tests.factories import QuestionnaireTemplateFactory, SessionFactory, StatementFactory, TemplateItemFactory

    template = QuestionnaireTemplateFactory()
    for position in range(1, 11):
        TemplateItemFactory(template=template, statement=StatementFactory(), position=position)
    session = SessionFactory()
    return services.survey_create(session=session, phase="pre", template=template)


def environ(path, method="GET", body=b""):
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.errors": sys.stderr,
    }


def handler_with(middleware):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()  # loads the middleware now; it keeps them after the override ends


def cpu_us(handler, make_environ, requests):
    """CPU microseconds of this process per request (CPU time, so that other processes on the machine weigh less)."""
    statuses = set()

    def start_response(status, headers):
        statuses.add(status[:3])

    started = time.process_time()
    for _ in range(requests):
        response = handler(make_environ(), start_response)
        b"".join(response)
        response.close()
    if statuses != {"200"}:
        raise RuntimeError(f"answered {sorted(statuses)}")
    return (time.process_time() - started) / requests * 1e6


def compare(handler, baseline, make_environ, requests, rounds=7):
    """Median over interleaved rounds of (handler, baseline) CPU microseconds per request."""
    cpu_us(handler, make_environ, 50)  # warm: templates compiled, statements kept
    pairs = [(cpu_us(handler, make_environ, requests), cpu_us(baseline, make_environ, requests)) for _ in range(rounds)]
    return statistics.median(a for a, _ in pairs), statistics.median(a - b for a, b in pairs)


def round_trips(handler, make_environ):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = handler(make_environ(), lambda status, headers: None)
        b"".join(response)
        response.close()
    return len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests a round (default 300)")
    args = parser.parse_args()
    setup()
    from django.conf import settings

    survey = seed_survey()
    page = f"/s/{survey.token}/"
    statements = [item.statement_id for item in survey.items.all()]

    def submission():
        body = urlencode({"submission_key": uuid.uuid4()} | {f"s{sid}": "4" for sid in statements}).encode()
        return environ(page, "POST", body)

    full = list(settings.MIDDLEWARE)
    handler = handler_with(full)
    print(
        f"{len(full)} middleware. CPU microseconds per request, median of 7 interleaved rounds of {args.requests}; "
        "a layer's line is the stack without it minus the full stack"
    )
    print(f"{'':<44}{'bare view':>10}{'page GET':>10}")
    stacks = [("full stack", full)]
    stacks += [(f"  without {name.rsplit('.', 1)[-1]}", [m for m in full if m != name]) for name in full]
    stacks += [("Django's default 7", DJANGO_DEFAULT), ("no middleware", [])]
    for label, stack in stacks:
        try:
            other = handler_with(stack)
            figures = [
                compare(other, handler, make, args.requests)
                for make in (lambda: environ("/bench/bare/"), lambda: environ(page))
            ]
        except Exception as error:  # a layer that others need: say so, go on
            print(f"{label:<44}  needed by another layer ({type(error).__name__})")
            continue
        if label.startswith("  "):
            print(f"{label:<44}" + "".join(f"{difference:>+10.0f}" for _, difference in figures))
        else:
            print(f"{label:<44}" + "".join(f"{absolute:>10.0f}" for absolute, _ in figures))
    print(
        f"\ndatabase round trips (full stack): page GET {round_trips(handler, lambda: environ(page))}, "
        f"submission POST {round_trips(handler, submission)}"
    )


if __name__ == "__main__":
    main()
