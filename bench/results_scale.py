"""Results at national scale on PostgreSQL: screens and exports timed against the full-scan floor. Run by hand.

    .venv/bin/python bench/results_scale.py                     # 32 partnerships x 150 sessions x 25 people
    .venv/bin/python bench/results_scale.py --partnerships 4 --sessions 20   # a quick first run

Creates a throwaway database (coprod_results_bench on 127.0.0.1:5432, trust auth, user postgres or root) and
migrates it, then generates the data in SQL (INSERT ... SELECT over generate_series, never the ORM row by row):
partnerships, sessions with a register, a pre and a post survey each from a national 10-statement template,
`--respondents` people per session answering before and after (all but two paired by their code; the other
two answer only after), one answer per statement (about 5% "Don't know"). Then it builds the rollups with the
rebuild command's SQL, checks them against the answers, and checks the live path too: concurrent submissions
through the service on PostgreSQL must leave rollups equal to a rebuild.

Then, through Django's test client in this process (production settings, DEBUG off), it prints the median and
95th-percentile time and the query count of the session, partnership and national screens and of results.csv,
then streams responses.csv (a partnership's, and the whole country's) in a fresh process, printing rows per
second and that process's peak memory. Also the time of a plain GROUP BY over the whole answers table (the
full-scan floor), so the figures read as ratios. The database is dropped at the end (--keep keeps it).
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from postgres import HOST, admin_connection

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "coprod_results_bench"
TARGETS_MS = {"session": 100, "partnership": 100, "national": 150}
TARGET_ROWS_PER_SECOND = 100_000
TARGET_MEMORY_MB = 150
EXPORT_RUNS = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnerships", type=int, default=32)
    parser.add_argument("--sessions", type=int, default=150, help="sessions per partnership")
    parser.add_argument("--respondents", type=int, default=25, help="people per session, before and after")
    parser.add_argument("--statements", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per screen (after 3 warm-ups)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--export", help=argparse.SUPPRESS)  # internal: stream one export in a fresh process
    parser.add_argument("--user", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the throwaway database ---


def database_url():
    _connection, user = admin_connection()
    _connection.close()
    return f"postgres://{user}@{HOST}:5432/{DB_NAME}"


def recreate_database():
    connection, _user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version


def drop_database():
    connection, _user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    connection.close()


def setup_django():
    os.environ.update(
        {
            "DATABASE_URL": database_url(),
            "SECRET_KEY": "coprod-bench-only-not-secret",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "coprod.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- data, in SQL ---


def insert_select(cursor, model, values, source):
    """INSERT INTO model's table SELECT `values` (column -> SQL) FROM `source`; every NOT NULL column given.

    Checked against the model so that a new required field fails here with its name, not as a NULL violation.
    """
    columns = [field for field in model._meta.concrete_fields if not field.primary_key or field.name in values]
    missing = [field.column for field in columns if not field.null and field.column not in values]
    if missing:
        sys.exit(f"bench/results_scale.py: give {model.__name__} a value for {missing} (new required fields).")
    names = list(values)
    table, selected = model._meta.db_table, ", ".join(values.values())
    sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT {selected} FROM {source}"  # noqa: S608 (our own SQL)
    started = time.perf_counter()
    cursor.execute(sql)
    return cursor.rowcount, time.perf_counter() - started


def generate(args):
    from django.db import connection

    from coprod.models import Membership, Partnership, Role, User
    from surveys import services
    from surveys.models import Answer, QuestionnaireTemplate, Response, Survey, SurveyItem
    from workshops.models import Attendance, Attendee, Session

    template = QuestionnaireTemplate.objects.create(title="Bench national questionnaire")
    for number in range(1, args.statements + 1):
        services.template_item_add(template=template, text=f"I agree with bench statement {number}.")
    now = "now()"
    figures = {}
    with connection.cursor() as cursor:
        figures["partnerships"] = insert_select(
            cursor,
            Partnership,
            {
                "name": "'Bench partnership ' || lpad(g::text, 2, '0')",
                "council_area": "'Bench area ' || g",
                "created_at": now,
                "updated_at": now,
            },
            f"generate_series(1, {args.partnerships}) g",
        )
        # Sessions every week or so over three years, so that filters and quarters have something to do.
        figures["sessions"] = insert_select(
            cursor,
            Session,
            {
                "partnership_id": "p.id",
                "kind": "CASE WHEN g % 5 = 0 THEN 'lab' ELSE 'exploring' END",
                "title": "'Bench session ' || g",
                "date": "date '2023-01-02' + ((g * 7 + p.id) % 1095)::int",
                "start_time": "time '09:30'",
                "end_time": "time '12:30'",
                "venue": "'Bench hall'",
                "is_online": "false",
                "aim_codesign": "true",
                "aim_local_projects": "false",
                "aim_resources": "true",
                "aim_alliance": "false",
                "aims_other": "''",
                "status": "'held'",
                "notes": "''",
                "created_by_id": "NULL",
                "created_at": now,
                "updated_at": now,
            },
            f"{Partnership._meta.db_table} p CROSS JOIN generate_series(1, {args.sessions}) g",
        )
        attendees_per_session = args.respondents + 3  # a few attend without answering
        figures["attendees"] = insert_select(
            cursor,
            Attendee,
            {
                "partnership_id": "s.partnership_id",
                "name": "'Person ' || s.id || '-' || g",
                "email": "''",
                "organisation_id": "NULL",
                "sector": "'third_sector'",
                "role": "'third_sector_staff'",
                "erased_at": "NULL",
                "created_at": now,
                "updated_at": now,
            },
            f"{Session._meta.db_table} s CROSS JOIN generate_series(1, {attendees_per_session}) g",
        )
        figures["attendances"] = insert_select(
            cursor,
            Attendance,
            {
                "session_id": "s.id",
                "attendee_id": "a.id",
                "status": "CASE WHEN a.id % 10 = 0 THEN 'absent' ELSE 'attended' END",
                "created_at": now,
                "updated_at": now,
            },
            f"{Session._meta.db_table} s CROSS JOIN generate_series(1, {attendees_per_session}) g "
            f"JOIN {Attendee._meta.db_table} a ON a.partnership_id = s.partnership_id "
            "AND a.name = 'Person ' || s.id || '-' || g",
        )
        figures["surveys"] = insert_select(
            cursor,
            Survey,
            {
                "session_id": "s.id",
                "template_id": str(template.pk),
                "phase": "ph",
                "token": "md5(s.id || ph || random()::text)",
                "opens_at": "NULL",
                "closes_at": "NULL",
                "closed_at": "now() - interval '1 day'",  # released: only closed questionnaires count in results
                "created_at": now,
                "updated_at": now,
            },
            f"{Session._meta.db_table} s CROSS JOIN (VALUES ('pre'), ('post')) AS phases(ph)",
        )
        figures["survey items"] = insert_select(
            cursor,
            SurveyItem,
            {"survey_id": "v.id", "statement_id": "i.statement_id", "position": "i.position", "required": "true"},
            f"{Survey._meta.db_table} v CROSS JOIN surveys_templateitem i WHERE i.template_id = {template.pk}",
        )
        response = Response._meta.db_table
        figures["responses before"] = insert_select(
            cursor,
            Response,
            {
                "id": "gen_random_uuid()",
                "survey_id": "v.id",
                "submission_key": "gen_random_uuid()",
                "pairing_code": "'B' || lpad(g::text, 5, '0')",
                "paired_with_id": "NULL",
                "source": "CASE WHEN g % 10 = 0 THEN 'paper' ELSE 'online' END",
                "submitted_on": "s.date",
            },
            f"{Survey._meta.db_table} v JOIN {Session._meta.db_table} s ON s.id = v.session_id "
            f"CROSS JOIN generate_series(1, {args.respondents}) g WHERE v.phase = 'pre'",
        )
        # After the session: the same people, all but the last two paired with their answer before.
        figures["responses after"] = insert_select(
            cursor,
            Response,
            {
                "id": "gen_random_uuid()",
                "survey_id": "post.id",
                "submission_key": "gen_random_uuid()",
                "pairing_code": f"CASE WHEN r.pairing_code <= 'B{args.respondents - 2:05d}' THEN r.pairing_code "
                "ELSE '' END",
                "paired_with_id": f"CASE WHEN r.pairing_code <= 'B{args.respondents - 2:05d}' THEN r.id END",
                "source": "r.source",
                "submitted_on": "r.submitted_on",
            },
            f"{response} r JOIN {Survey._meta.db_table} pre ON pre.id = r.survey_id "
            f"JOIN {Survey._meta.db_table} post ON post.session_id = pre.session_id AND post.phase = 'post'",
        )
        # One answer per statement: "after" leans towards agreeing; about 5% "Don't know".
        figures["answers"] = insert_select(
            cursor,
            Answer,
            {
                "response_id": "r.id",
                "statement_id": "i.statement_id",
                "value": "CASE WHEN h < 5 THEN NULL "
                "WHEN v.phase = 'pre' THEN (ARRAY[1,2,2,3,3,3,4,4,4,5])[1 + h % 10] "
                "ELSE (ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + h % 10] END",
                "text": "''",
            },
            f"{response} r JOIN {Survey._meta.db_table} v ON v.id = r.survey_id "
            "JOIN surveys_surveyitem i ON i.survey_id = v.id "
            "CROSS JOIN LATERAL (SELECT abs(hashtext(r.id::text || i.statement_id::text)) % 100 AS h) hashed",
        )
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would soon: statistics and the visibility map
        figures["analyze"] = (0, time.perf_counter() - started)

    User.objects.create(username="bench-alliance", is_alliance_staff=True)
    lead = User.objects.create(username="bench-lead")
    first = Partnership.objects.order_by("pk").first()
    Membership.objects.create(user=lead, partnership=first, role=Role.LEAD)
    return figures, template


def build_rollups():
    from surveys.rollups import rollups_rebuild

    started = time.perf_counter()
    statements, sessions = rollups_rebuild()
    return statements, sessions, time.perf_counter() - started


def check_rollups():
    """The rollups hold exactly as many answers as the answers table: one sum, one count."""
    from django.db import connection

    from surveys.models import ROLLUP_VALUE_FIELDS

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM({' + '.join(ROLLUP_VALUE_FIELDS)}) FROM surveys_statementrollup")  # noqa: S608
        counted = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM surveys_answer a JOIN surveys_statement s ON s.id = a.statement_id "
            "WHERE s.kind = 'scale'"
        )
        answers = cursor.fetchone()[0]
    return counted, answers


def check_live_path(template, threads=40):
    """Concurrent submissions through the service on PostgreSQL; then a rebuild must change nothing."""
    from django.db import connections

    from coprod.models import Partnership
    from surveys import services
    from surveys.models import ROLLUP_FIELDS, StatementRollup
    from surveys.rollups import rollups_rebuild
    from workshops.models import Session

    session = Session.objects.create(
        partnership=Partnership.objects.order_by("pk").first(),
        title="Bench live session",
        date=datetime.date(2026, 3, 12),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 30),
        venue="Bench hall",
    )
    pre = services.survey_create(session=session, phase="pre", template=template)
    post = services.survey_create(session=session, phase="post", template=template)
    ids = list(pre.items.values_list("statement_id", flat=True))
    codes = [
        services.response_submit(survey=pre, submission_key=uuid.uuid4(), answers=dict.fromkeys(ids, 2)).response
        for _ in range(threads)
    ]
    barrier, errors = threading.Barrier(threads), []

    def answer(number):
        try:
            barrier.wait()
            values = dict.fromkeys(ids, 4 + number % 2) | {ids[0]: None}
            services.response_submit(
                survey=post, submission_key=uuid.uuid4(), answers=values, pairing_code=codes[number].pairing_code
            )
            services.response_submit(survey=pre, submission_key=uuid.uuid4(), answers=dict.fromkeys(ids, 3))
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=answer, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    def snapshot():
        return sorted(StatementRollup.objects.filter(session=session).values_list("statement_id", *ROLLUP_FIELDS))

    live = snapshot()
    rollups_rebuild()
    return {"errors": errors, "equal_after_rebuild": live == snapshot(), "rows": len(live)}


# --- timing ---


def timed(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        consume(client.get(url))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        consume(response)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        consume(response)
    assert response.status_code == 200, (url, response.status_code)
    return {
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * (statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)),
        "queries": len(queries),
    }


def consume(response):
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def full_scan_floor(runs=5):
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):
            started = time.perf_counter()
            cursor.execute("SELECT statement_id, value, count(*) FROM surveys_answer GROUP BY statement_id, value")
            cursor.fetchall()
            times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times[1:])


def peak_rss_mb():
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: after fork and exec, Linux
    reports the parent's peak there too."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_export(url, username):
    """In a fresh process: stream one export, print rows, seconds and this process's peak memory as JSON."""
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coprod.models import User
    from tests.factories import TwoFactorClient

    client = TwoFactorClient()  # logs in with the second factor, as leads and ALLIANCE staff must
    client.force_login(User.objects.get(username=username))
    client.get("/")  # warm up: templates, middleware
    baseline = peak_rss_mb()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        rows = -1  # the header
        size = 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\n")
            size += len(chunk)
        seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "bytes": size,
                "baseline_mb": baseline,
                "peak_mb": peak,
                "queries": len(queries),
                "status": response.status_code,
            }
        )
    )


def export_in_fresh_process(url, username):
    command = [sys.executable, __file__, "--export", url, "--user", username]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    args = parse_args()
    if args.export:
        measure_export(args.export, args.user)
        return
    version = recreate_database()
    setup_django()
    from django.core.management import call_command

    from coprod.models import Partnership
    from workshops.models import Session

    try:
        call_command("migrate", verbosity=0)
        print(f"PostgreSQL {version}; {os.cpu_count()} cores")
        started = time.perf_counter()
        figures, template = generate(args)
        print(f"generated in {time.perf_counter() - started:.1f} s:")
        for name, (rows, seconds) in figures.items():
            print(f"  {name:<18} {rows:>10,} rows  {seconds:6.1f} s")
        statements, sessions, seconds = build_rollups()
        print(
            f"rollups rebuilt (the rebuild command's SQL): {statements:,} statement rows, {sessions:,} sessions, "
            f"{seconds:.1f} s"
        )
        counted, answers = check_rollups()
        print(
            f"check: answers on the scale {answers:,}, counted in rollups {counted:,}: "
            f"{'OK' if counted == answers else 'MISMATCH'}"
        )
        live = check_live_path(template)
        print(
            f"check: 40 concurrent paired submissions + 40 new ones through the service: errors {len(live['errors'])}, "
            f"rollups equal to a rebuild: {live['equal_after_rebuild']}"
        )

        floor = full_scan_floor()
        answers_millions = answers / 1e6
        print(
            f"\nfull-scan floor: GROUP BY over all {answers:,} answers: {floor:.0f} ms "
            f"({floor / answers_millions:.0f} ms per million)"
        )

        first = Partnership.objects.order_by("pk").first()
        session = Session.objects.filter(partnership=first).exclude(title="Bench live session").order_by("pk").first()
        from coprod.models import User
        from tests.factories import TwoFactorClient

        lead, alliance = TwoFactorClient(), TwoFactorClient()  # with the second factor, as leads and staff must

        lead.force_login(User.objects.get(username="bench-lead"))
        alliance.force_login(User.objects.get(username="bench-alliance"))
        screens = [
            ("session", "session screen", lead, f"/sessions/{session.pk}/results/"),
            ("partnership", "partnership screen", lead, f"/results/partnerships/{first.pk}/"),
            (
                "partnership",
                "partnership screen, 1 year",
                lead,
                f"/results/partnerships/{first.pk}/?date_from=2025-01-01&date_to=2025-12-31",
            ),
            ("national", "national screen", alliance, "/results/national/"),
            ("national", "national screen, labs only", alliance, "/results/national/?kind=lab"),
            (None, "results.csv, national", alliance, "/results/national/results.csv"),
            (None, "results.csv, partnership", lead, f"/results/partnerships/{first.pk}/results.csv"),
        ]
        print(f"\n{'':<32}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'x floor':>9}  target")
        for target, label, client, url in screens:
            result = timed(client, url, args.runs)
            goal = (
                f"< {TARGETS_MS[target]} ms median: {'met' if result['median_ms'] < TARGETS_MS[target] else 'MISSED'}"
                if target
                else ""
            )
            print(
                f"{label:<32}{result['median_ms']:>10.1f}{result['p95_ms']:>9.1f}{result['queries']:>9}"
                f"{result['median_ms'] / floor:>9.2f}  {goal}"
            )

        print(
            f"\nresponses.csv, each of {EXPORT_RUNS} runs in a fresh process (rows/s and peak memory: the median run)"
        )
        print(f"{'':<14}{'rows':>11}{'median s':>10}{'p95 s':>8}{'queries':>9}{'rows/s':>10}{'peak MB':>9}  target")
        exports = [
            ("partnership", "bench-lead", f"/results/partnerships/{first.pk}/responses.csv"),
            ("national", "bench-alliance", "/results/national/responses.csv"),
        ]
        for label, username, url in exports:
            runs = sorted(
                (export_in_fresh_process(url, username) for _ in range(EXPORT_RUNS)), key=lambda run: run["seconds"]
            )
            result = runs[len(runs) // 2]
            p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]["seconds"]
            rate = result["rows"] / result["seconds"]
            met = rate >= TARGET_ROWS_PER_SECOND and result["peak_mb"] <= TARGET_MEMORY_MB
            print(
                f"{label:<14}{result['rows']:>11,}{result['seconds']:>10.2f}{p95:>8.2f}{result['queries']:>9}"
                f"{rate:>10,.0f}{result['peak_mb']:>9.0f}"
                f"  >= {TARGET_ROWS_PER_SECOND:,}/s within {TARGET_MEMORY_MB} MB: {'met' if met else 'MISSED'}"
                f" (before the export: {result['baseline_mb']:.0f} MB)"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
