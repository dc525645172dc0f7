"""Results, dashboard and home pages at national scale on PostgreSQL, timed against the full-scan floor. By hand.

    .venv/bin/python bench/results_scale.py                     # 32 partnerships x 150 sessions x 25 people
    .venv/bin/python bench/results_scale.py --partnerships 4 --sessions 20   # a quick first run

Creates a throwaway database (coprod_results_bench, or --database, on 127.0.0.1:5432, trust auth, user postgres
or root) and migrates it, then generates the data in SQL (INSERT ... SELECT over generate_series, never the ORM
row by row), dated from today back: partnerships, a national register of organisations, `--sessions` sessions
held per partnership over three years (a mix of kinds), a few cancelled and a few planned from today on; a pool of
people per partnership with a spread of sectors and roles, `--respondents` + 3 of them on each register (at held
sessions mostly attended); a pre and a post survey per held session from a national 10-statement template,
`--respondents` people answering before and after (all but two paired by their code; the other two answer only
after), one answer per statement (about 5% "Don't know"); the planned sessions' questionnaires set up (today's
open, with answers coming in); a project from every third held session with partners, Star modes, stage changes,
monthly progress updates, measures and data points; a lead, a facilitator and a viewer of the first partnership,
a lead and a facilitator of every other one, and ALLIANCE staff. Then it builds the rollups with the rebuild
command's SQL, checks them against the answers, and checks the live path too: concurrent submissions through the
service on PostgreSQL must leave rollups equal to a rebuild.

Then, through Django's test client in this process (production settings, DEBUG off), it prints the median and
95th-percentile time and the query count of the session, partnership and national results screens and of
results.csv, of the national and a partnership's dashboard and dashboard.csv, and of the home page of each role;
then streams responses.csv (a partnership's, and the whole country's) in a fresh process, printing rows per second
and that process's peak memory. Also the time of a plain GROUP BY over the whole answers table (the full-scan
floor), so the figures read as ratios. The database is dropped at the end (--keep keeps it).
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
TARGETS_MS = {"session": 100, "partnership": 100, "national": 150, "dashboard": 150, "home": 50}
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
    parser.add_argument("--database", default=DB_NAME, help=f"the throwaway database's name (default {DB_NAME})")
    parser.add_argument("--export", help=argparse.SUPPRESS)  # internal: stream one export in a fresh process
    parser.add_argument("--user", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the throwaway database ---


def database_url(name):
    _connection, user = admin_connection()
    _connection.close()
    return f"postgres://{user}@{HOST}:5432/{name}"


def recreate_database(name):
    connection, _user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
        settings = []
        for name in ("server_version", "jit", "work_mem"):  # what the plans below depend on most
            cursor.execute(f"SHOW {name}")
            settings.append(cursor.fetchone()[0])
        version = "{}; jit {}, work_mem {}".format(*settings)
    connection.close()
    return version


def drop_database(name):
    connection, _user = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    connection.close()


def setup_django(name):
    os.environ.update(
        {
            "DATABASE_URL": database_url(name),
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
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # production settings name hashed files


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


def _sql_array(values):
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def _temp_table(cursor, name, select, index):
    """A temporary lookup table (for later INSERT ... SELECTs to join on), indexed and analysed."""
    cursor.execute(f"CREATE TEMP TABLE {name} AS {select}")
    cursor.execute(f"CREATE INDEX ON {name} ({index})")
    cursor.execute(f"ANALYZE {name}")


# Who comes, one in twenty each: 30 % AHP professions, then social care, third sector staff and volunteers, people
# with lived experience, unpaid carers, others. The sector follows the role.
ROLE_MIX = (
    ["ahp"] * 6
    + ["social_care_staff"] * 3
    + ["third_sector_staff"] * 3
    + ["volunteer"] * 2
    + ["lived_experience"] * 3
    + ["unpaid_carer"] * 2
    + ["other"]
)
SECTOR_OF_ROLE = """CASE x.r
    WHEN 'ahp' THEN CASE WHEN x.n % 3 = 0 THEN 'hscp' ELSE 'nhs' END
    WHEN 'social_care_staff' THEN (ARRAY['local_authority', 'hscp', 'independent'])[1 + x.n % 3]
    WHEN 'third_sector_staff' THEN 'third_sector'
    WHEN 'volunteer' THEN CASE WHEN x.n % 2 = 0 THEN 'third_sector' ELSE 'community' END
    WHEN 'lived_experience' THEN CASE WHEN x.n % 4 = 0 THEN 'third_sector' ELSE 'community' END
    WHEN 'unpaid_carer' THEN 'community'
    ELSE (ARRAY['academic', 'national_body', 'local_authority'])[1 + x.n % 3] END"""
ORGANISATIONS_PER_PARTNERSHIP = 12
# Session kinds, one in twenty each (one in five a Co-production Lab, as before); project stages likewise.
KIND_MIX = ["lab", "exploring", "exploring", "good_conversations", "star_workshop"] * 3 + [
    "lab",
    "exploring",
    "exploring",
    "good_conversations",
    "other",
]
STAGE_MIX = ["idea"] * 3 + ["planning"] * 3 + ["testing"] * 4 + ["implementing"] * 4 + ["sustaining"] * 2
STAGE_MIX += ["spread", "closed", "closed", "closed"]


def generate(args, today):
    """Everything in SQL. `today` (Europe/London) anchors the dates: three years of sessions up to yesterday, a few
    planned from today on (the first partnership has one today), so that the home pages have their day's work."""
    from django.db import connection

    from coprod.models import Membership, Organisation, Partnership, Role, Sector, User
    from projects.models import (
        DataPoint,
        Measure,
        ProgressUpdate,
        Project,
        ProjectMode,
        ProjectPartner,
        Stage,
        StageChange,
        StarMode,
        Topic,
    )
    from surveys import services
    from surveys.models import Answer, QuestionnaireTemplate, Response, Survey, SurveyItem
    from workshops.models import AHP_ROLES, Attendance, Attendee, Session

    template = QuestionnaireTemplate.objects.create(title="Bench national questionnaire")
    for number in range(1, args.statements + 1):
        services.template_item_add(template=template, text=f"I agree with bench statement {number}.")
    now = "now()"
    day = f"date '{today.isoformat()}'"
    held_count = args.sessions
    last_held, unmarked = f"Bench session {held_count}", f"Bench session {held_count - 1}"
    cancelled_count, planned_count = max(1, args.sessions // 30), max(2, args.sessions // 40)
    per_session = args.respondents + 3  # on each register: a few more than answer
    pool = max(2 * per_session, args.sessions * per_session // 4)  # each person comes to about four sessions
    session_table, survey_table = Session._meta.db_table, Survey._meta.db_table
    response, partnership_table = Response._meta.db_table, Partnership._meta.db_table
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
        cursor.execute(f"SELECT min(id) FROM {partnership_table}")  # noqa: S608
        first_id = cursor.fetchone()[0]
        # The national register of organisations: a dozen working in each partnership, of every sector.
        figures["organisations"] = insert_select(
            cursor,
            Organisation,
            {
                "name": "'Bench organisation ' || p.id || '-' || k",
                "sector": f"({_sql_array(Sector.values)})[1 + k % {len(Sector.values)}]",
                "is_alliance_member": "k % 3 = 0",
                "website": "''",
                "contact_email": "''",
                "created_at": now,
                "updated_at": now,
            },
            f"{partnership_table} p CROSS JOIN generate_series(0, {ORGANISATIONS_PER_PARTNERSHIP - 1}) k",
        )
        _temp_table(
            cursor,
            "bench_org",
            "SELECT split_part(split_part(name, ' ', 3), '-', 1)::int AS partnership_id, "  # noqa: S608
            "split_part(split_part(name, ' ', 3), '-', 2)::int AS k, sector, id AS organisation_id "
            f"FROM {Organisation._meta.db_table} WHERE name LIKE 'Bench organisation %'",
            "partnership_id, k",
        )
        figures["organisations' partnerships"] = insert_select(
            cursor,
            Organisation.partnerships.through,
            {"organisation_id": "o.organisation_id", "partnership_id": "o.partnership_id"},
            "bench_org o",
        )

        # Sessions: `--sessions` held per partnership, about a week apart over the three years up to yesterday; a
        # few cancelled among them; a few planned from today on, each with a register.
        session_values = {
            "partnership_id": "p.id",
            "kind": f"({_sql_array(KIND_MIX)})[1 + (g * 7 + p.id) % {len(KIND_MIX)}]",
            "title": "'Bench session ' || g",
            "date": f"{day} - (1 + p.id % 3 + (({held_count} - g) * 1095) / {held_count})::int",
            "start_time": "CASE WHEN g % 2 = 0 THEN time '09:30' ELSE time '13:30' END",
            "end_time": "CASE WHEN g % 2 = 0 THEN time '12:30' ELSE time '16:30' END",
            "venue": "CASE WHEN g % 6 = 0 THEN '' ELSE 'Bench hall' END",
            "is_online": "g % 6 = 0",
            "aim_codesign": "true",
            "aim_local_projects": "g % 2 = 0",
            "aim_resources": "g % 3 <> 0",
            "aim_alliance": "g % 4 = 0",
            "aims_other": "''",
            "status": "'held'",
            "notes": "''",
            "created_by_id": "NULL",
            "created_at": now,
            "updated_at": now,
        }
        figures["sessions held"] = insert_select(
            cursor,
            Session,
            session_values,
            f"{partnership_table} p CROSS JOIN generate_series(1, {held_count}) g",
        )
        figures["sessions cancelled"] = insert_select(
            cursor,
            Session,
            session_values
            | {
                "title": "'Bench cancelled session ' || g",
                "date": f"{day} - (4 + p.id % 3 + (g * 1095) / {cancelled_count + 1})::int",
                "status": "'cancelled'",
            },
            f"{partnership_table} p CROSS JOIN generate_series(1, {cancelled_count}) g",
        )
        figures["sessions planned"] = insert_select(
            cursor,
            Session,
            session_values
            | {
                "title": "'Bench planned session ' || g",
                "date": f"{day} + ((g - 1) * 7 + (p.id - {first_id}) % 4)::int",
                "status": "'planned'",
            },
            f"{partnership_table} p CROSS JOIN generate_series(1, {planned_count}) g",
        )
        _temp_table(
            cursor,
            "bench_session",
            "SELECT id AS session_id, partnership_id, status, date, substring(title from '(\\d+)$')::int AS n "  # noqa: S608
            f"FROM {session_table} WHERE title LIKE 'Bench %'",
            "partnership_id, n",
        )

        # People: a pool per partnership, each with a role and its sector (staff with an organisation of that sector
        # in the partnership); each register takes per_session of them, so the same people come back.
        figures["attendees"] = insert_select(
            cursor,
            Attendee,
            {
                "partnership_id": "x.pid",
                "name": "'Person ' || x.pid || '-' || x.n",
                "email": "''",
                "organisation_id": "NULL",
                "sector": SECTOR_OF_ROLE,
                "role": f"CASE WHEN x.r = 'ahp' THEN ({_sql_array(AHP_ROLES)})[1 + x.n % {len(AHP_ROLES)}] "
                "ELSE x.r END",
                "erased_at": "NULL",
                "created_at": now,
                "updated_at": now,
            },
            f"(SELECT p.id AS pid, n, ({_sql_array(ROLE_MIX)})[1 + (n * 7 + p.id) % {len(ROLE_MIX)}] AS r "  # noqa: S608
            f"FROM {partnership_table} p CROSS JOIN generate_series(0, {pool - 1}) n) x",
        )
        attendee_table = Attendee._meta.db_table
        cursor.execute(
            f"UPDATE {attendee_table} a SET organisation_id = o.organisation_id "  # noqa: S608
            "FROM (SELECT DISTINCT ON (partnership_id, sector) partnership_id, sector, organisation_id FROM bench_org "
            "ORDER BY partnership_id, sector, k) o "
            "WHERE o.partnership_id = a.partnership_id AND o.sector = a.sector "
            "AND a.role NOT IN ('lived_experience', 'unpaid_carer')"
        )
        _temp_table(
            cursor,
            "bench_people",
            "SELECT partnership_id, split_part(split_part(name, ' ', 2), '-', 2)::int AS n, id AS attendee_id "  # noqa: S608
            f"FROM {attendee_table}",
            "partnership_id, n",
        )
        # Held sessions: about one in ten absent, the rest attended; the one before the last held is not marked
        # yet (a register to mark, on the home page). Planned and cancelled sessions: registered.
        figures["attendances"] = insert_select(
            cursor,
            Attendance,
            {
                "session_id": "s.id",
                "attendee_id": "a.attendee_id",
                "status": f"CASE WHEN s.status <> 'held' OR s.title = '{unmarked}' THEN 'registered' "
                "WHEN (s.id * 3 + k) % 10 = 0 THEN 'absent' ELSE 'attended' END",
                "created_at": now,
                "updated_at": now,
            },
            f"{session_table} s CROSS JOIN generate_series(1, {per_session}) k "
            "JOIN bench_people a ON a.partnership_id = s.partnership_id "
            f"AND a.n = (s.id * 7 + k) % {pool}",
        )

        # Questionnaires: held sessions' released (closed the day after), but the last held session's "after"
        # still open; planned sessions' set up (today's "before" open, "after" opening in two hours), but the last
        # planned session has none yet.
        figures["surveys"] = insert_select(
            cursor,
            Survey,
            {
                "session_id": "s.id",
                "template_id": str(template.pk),
                "phase": "ph",
                "token": "md5(s.id || ph || random()::text)",
                # Unique and in the pairing alphabet: the survey's number (session id, phase) in base 31.
                "short_code": "(SELECT string_agg(substr('ABCDEFGHJKMNPQRSTUVWXYZ23456789', "
                "((s.id * 2 + (ph = 'post')::int) / (31::bigint ^ k)::bigint % 31)::int + 1, 1), '' ORDER BY k DESC) "
                "FROM generate_series(0, 7) k)",
                "opens_at": f"CASE WHEN s.status = 'held' THEN NULL WHEN s.date = {day} THEN "
                "CASE WHEN ph = 'pre' THEN now() - interval '1 hour' ELSE now() + interval '2 hours' END "
                "ELSE (s.date + s.start_time)::timestamptz END",
                "closes_at": f"CASE WHEN s.title = '{last_held}' AND ph = 'post' THEN now() + interval '3 days' END",
                "closed_at": f"CASE WHEN s.status <> 'held' OR (s.title = '{last_held}' AND ph = 'post') THEN NULL "
                "ELSE (s.date + 1)::timestamptz END",
                "created_at": now,
                "updated_at": now,
            },
            f"{session_table} s CROSS JOIN (VALUES ('pre'), ('post')) AS phases(ph) "
            f"WHERE s.status = 'held' OR (s.status = 'planned' AND s.title <> 'Bench planned session {planned_count}')",
        )
        figures["survey items"] = insert_select(
            cursor,
            SurveyItem,
            {"survey_id": "v.id", "statement_id": "i.statement_id", "position": "i.position", "required": "true"},
            f"{survey_table} v CROSS JOIN surveys_templateitem i WHERE i.template_id = {template.pk}",
        )
        before = {
            "id": "gen_random_uuid()",
            "survey_id": "v.id",
            "submission_key": "gen_random_uuid()",
            "pairing_code": "'B' || lpad(g::text, 5, '0')",
            "paired_with_id": "NULL",
            "source": "CASE WHEN g % 10 = 0 THEN 'paper' ELSE 'online' END",
            "submitted_on": "s.date",
        }
        figures["responses before"] = insert_select(
            cursor,
            Response,
            before,
            f"{survey_table} v JOIN {session_table} s ON s.id = v.session_id "
            f"CROSS JOIN generate_series(1, {args.respondents}) g WHERE v.phase = 'pre' AND s.status = 'held'",
        )
        figures["responses today"] = insert_select(  # today's sessions: the room answering now
            cursor,
            Response,
            before,
            f"{survey_table} v JOIN {session_table} s ON s.id = v.session_id "
            f"CROSS JOIN generate_series(1, {max(1, args.respondents // 2)}) g "
            f"WHERE v.phase = 'pre' AND s.status = 'planned' AND s.date = {day}",
        )
        # After a held session: the same people, all but the last two paired with their answer before.
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
            f"{response} r JOIN {survey_table} pre ON pre.id = r.survey_id "
            f"JOIN {session_table} s ON s.id = pre.session_id AND s.status = 'held' "
            f"JOIN {survey_table} post ON post.session_id = pre.session_id AND post.phase = 'post'",
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
            f"{response} r JOIN {survey_table} v ON v.id = r.survey_id "
            "JOIN surveys_surveyitem i ON i.survey_id = v.id "
            "CROSS JOIN LATERAL (SELECT abs(hashtext(r.id::text || i.statement_id::text)) % 100 AS h) hashed",
        )

        # Projects: one from every third held session (project j from session 3j), recorded three days after it.
        project_table = Project._meta.db_table
        figures["projects"] = insert_select(
            cursor,
            Project,
            {
                "partnership_id": "x.partnership_id",
                "locality_id": "NULL",
                "title": "'Bench project ' || x.j",
                "topic": f"({_sql_array(Topic.values)})[1 + x.j % {len(Topic.values)}]",
                "topic_other": f"CASE WHEN x.j % {len(Topic.values)} = {Topic.values.index(Topic.OTHER)} "
                "THEN 'Bench topic' ELSE '' END",
                "aim": "'Bench aim ' || x.j",
                "people_involved_count": "x.j % 12",
                "people_involved_how": "''",
                "stage": f"({_sql_array(STAGE_MIX)})[1 + (x.j * 7 + x.partnership_id) % {len(STAGE_MIX)}]",
                "shown_to_attendees": "x.j % 2 = 0",
                "created_by_id": "NULL",
                "created_at": f"least(x.date + 3, {day})::timestamptz",
                "updated_at": now,
            },
            "(SELECT partnership_id, n / 3 AS j, date FROM bench_session WHERE status = 'held' AND n % 3 = 0) x",
        )
        _temp_table(
            cursor,
            "bench_project",
            "SELECT id AS project_id, partnership_id, substring(title from '(\\d+)$')::int AS j, "  # noqa: S608
            f"array_position({_sql_array(Stage.values)}, stage::text) - 1 AS stage_index, "
            f"created_at::date AS created FROM {project_table}",
            "project_id",
        )
        figures["projects' sessions"] = insert_select(  # the session it came from; every other one two sessions
            cursor,
            Project.sessions.through,
            {"project_id": "pr.project_id", "session_id": "s.session_id"},
            "bench_project pr JOIN bench_session s ON s.partnership_id = pr.partnership_id AND s.status = 'held' "
            "AND (s.n = 3 * pr.j OR (pr.j % 2 = 0 AND s.n = 3 * pr.j - 1))",
        )
        # One to four partners of different sectors (a quarter of projects have one: not multi-agency).
        figures["project partners"] = insert_select(
            cursor,
            ProjectPartner,
            {
                "project_id": "pr.project_id",
                "organisation_id": "o.organisation_id",
                "role": "CASE WHEN i = 0 THEN 'lead' WHEN i = 3 THEN 'supporter' ELSE 'partner' END",
            },
            "bench_project pr CROSS JOIN generate_series(0, 3) i JOIN bench_org o "
            "ON o.partnership_id = pr.partnership_id "
            f"AND o.k = (pr.j + i * 3) % {ORGANISATIONS_PER_PARTNERSHIP} WHERE i <= pr.j % 4",
        )
        figures["project modes"] = insert_select(
            cursor,
            ProjectMode,
            {
                "project_id": "pr.project_id",
                "mode": f"({_sql_array(StarMode.values)})[1 + m]",
                "how": "'Bench: how the project uses it'",
            },
            "bench_project pr CROSS JOIN generate_series(0, 3) m WHERE (pr.j >> m) & 1 = 1 OR m = pr.j % 4",
        )
        figures["stage changes"] = insert_select(  # idea, then each stage in turn to the project's, 40 days apart
            cursor,
            StageChange,
            {
                "project_id": "pr.project_id",
                "from_stage": f"CASE WHEN t = 0 THEN '' ELSE ({_sql_array(Stage.values)})[t] END",
                "to_stage": f"({_sql_array(Stage.values)})[t + 1]",
                "date": f"least(pr.created + t * 40, {day})",
                "changed_by_id": "NULL",
                "reason": "''",
                "created_at": now,
            },
            f"bench_project pr CROSS JOIN generate_series(0, {len(Stage.values) - 1}) t WHERE t <= pr.stage_index",
        )
        # An update a month; one project in five has gone quiet for ten weeks (to follow up, on the home page).
        figures["progress updates"] = insert_select(
            cursor,
            ProgressUpdate,
            {
                "project_id": "pr.project_id",
                "date": "pr.created + m * 30",
                "author_id": "NULL",
                "text": "'Bench progress update ' || m",
                "created_at": now,
            },
            "bench_project pr CROSS JOIN generate_series(0, 40) m "
            f"WHERE pr.created + m * 30 <= {day} - CASE WHEN pr.j % 5 = 2 THEN 70 ELSE 0 END",
        )
        figures["measures"] = insert_select(  # from testing on, one or two
            cursor,
            Measure,
            {
                "project_id": "pr.project_id",
                "name": "'Bench measure ' || i",
                "definition": "''",
                "unit": "'people'",
                "direction": "'higher'",
                "baseline": "10",
                "target": "20",
                "chart_type": "CASE WHEN i = 2 THEN 'xmr' ELSE 'run' END",  # a project's second measure: XmR
                "created_at": "pr.created::timestamptz",
            },
            "bench_project pr CROSS JOIN generate_series(1, 2) i WHERE pr.stage_index >= 2 AND i <= 1 + pr.j % 2",
        )
        # A data point a month; one project in five has none yet this month.
        figures["data points"] = insert_select(
            cursor,
            DataPoint,
            {
                "measure_id": "m.id",
                "date": "x.month",
                "value": "10 + k + m.id % 5",
                "note": "''",
                "created_at": now,
            },
            f"{Measure._meta.db_table} m JOIN bench_project pr ON pr.project_id = m.project_id "
            "CROSS JOIN generate_series(0, 40) k "
            "CROSS JOIN LATERAL (SELECT (date_trunc('month', pr.created) + k * interval '1 month')::date AS month) x "
            f"WHERE x.month <= {day} AND NOT (pr.j % 5 = 3 AND x.month = date_trunc('month', {day})::date)",
        )

        # People who sign in: in every partnership but the first, a lead and a facilitator who facilitates all its
        # sessions (so that the tables they are in have national size); the first one's are created below.
        user_table = User._meta.db_table
        figures["users"] = insert_select(
            cursor,
            User,
            {
                "password": "'!'",
                "last_login": "NULL",
                "is_superuser": "false",
                "username": "'bench-' || r || '-' || p.id",
                "first_name": "'Bench'",
                "last_name": "r",
                "email": "''",
                "is_staff": "false",
                "is_active": "true",
                "date_joined": now,
                "is_alliance_staff": "false",
            },
            f"{partnership_table} p CROSS JOIN (VALUES ('lead'), ('facilitator')) AS roles(r) WHERE p.id <> {first_id}",
        )
        figures["memberships"] = insert_select(
            cursor,
            Membership,
            {
                "user_id": "u.id",
                "partnership_id": "split_part(u.username, '-', 3)::int",
                "role": "u.last_name",
                "created_at": now,
                "updated_at": now,
            },
            f"{user_table} u WHERE u.username LIKE 'bench-%-%'",
        )
        figures["facilitations"] = insert_select(
            cursor,
            Session.facilitators.through,
            {"session_id": "s.session_id", "user_id": "u.id"},
            f"{user_table} u JOIN bench_session s ON s.partnership_id = split_part(u.username, '-', 3)::int "
            "WHERE u.username LIKE 'bench-facilitator-%'",
        )

    User.objects.create(username="bench-alliance", is_alliance_staff=True)
    first = Partnership.objects.get(pk=first_id)
    for name, role in (("lead", Role.LEAD), ("facilitator", Role.FACILITATOR), ("viewer", Role.VIEWER)):
        user = User.objects.create(username=f"bench-{name}", first_name="Bench", last_name=name)
        Membership.objects.create(user=user, partnership=first, role=role)
    # The first partnership's facilitator runs one held session in four, and every planned one (today's too).
    with connection.cursor() as cursor:
        figures["facilitations"] = tuple(
            a + b
            for a, b in zip(
                figures["facilitations"],
                insert_select(
                    cursor,
                    Session.facilitators.through,
                    {"session_id": "s.session_id", "user_id": str(User.objects.get(username="bench-facilitator").pk)},
                    f"bench_session s WHERE s.partnership_id = {first_id} "
                    "AND ((s.status = 'held' AND s.n % 4 = 0) OR s.status = 'planned')",
                ),
                strict=True,
            )
        )
        for name in ("bench_org", "bench_session", "bench_people", "bench_project"):
            cursor.execute(f"DROP TABLE {name}")
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would soon: statistics and the visibility map
        figures["analyze"] = (0, time.perf_counter() - started)
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


def timed(client, url, runs, status=200, afresh=False):
    """`afresh`: before each request (untimed), every cached dashboard panel is made stale, as by a change."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coprod import panels

    def stale():
        if afresh:
            panels.changed(*panels.TOPICS)

    for _ in range(3):
        stale()
        consume(client.get(url))
    times = []
    for _ in range(runs):
        stale()
        started = time.perf_counter()
        response = client.get(url)
        consume(response)
        times.append(time.perf_counter() - started)
    # Queries: the fewer of two requests in a row. Every few minutes the session is saved to renew its idle clock
    # (coprod.middleware.session_lifetime), three more queries on whichever request that falls on.
    counts = []
    for _ in range(2):
        stale()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            consume(response)
        assert response.status_code == status, (url, response.status_code)
        counts.append(len(queries))
    return {
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * (statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)),
        "queries": min(counts),
    }


def print_table(screens, runs, floor):
    """Each screen's median and 95th percentile, query count and ratio to the full-scan floor, against its target."""
    print(f"{'':<34}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'x floor':>9}  target")
    load = os.getloadavg()[0]
    for target, label, client, url, *status in screens:
        result = timed(client, url, runs, *status)
        goal = (
            f"< {TARGETS_MS[target]} ms median: {'met' if result['median_ms'] < TARGETS_MS[target] else 'MISSED'}"
            if target
            else ""
        )
        print(
            f"{label:<34}{result['median_ms']:>10.1f}{result['p95_ms']:>9.1f}{result['queries']:>9}"
            f"{result['median_ms'] / floor:>9.2f}  {goal}"
        )
    # Other work on the machine shows here: on 2 cores, a load above 1 before and after means the timings shared it.
    print(f"(load average over a minute: {load:.2f} before these, {os.getloadavg()[0]:.2f} after)")


def describe_home(partnership, today):
    """What the first partnership's home pages have to show, in one line: so that a reader sees they are not empty."""
    from projects.models import Project
    from surveys.models import Survey
    from workshops.models import Session

    sessions = Session.objects.filter(partnership=partnership)
    return (
        f"{partnership.name}: {sessions.filter(status='held').count()} sessions held, "
        f"{sessions.filter(date__gte=today).count()} from today on, "
        f"{Survey.objects.unreleased().filter(session__partnership=partnership).count()} questionnaires not released, "
        f"{Project.objects.filter(partnership=partnership).count()} projects"
    )


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


def measure_export(url, username, database):
    """In a fresh process: stream one export, print rows, seconds and this process's peak memory as JSON."""
    setup_django(database)
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


def export_in_fresh_process(url, username, database):
    command = [sys.executable, __file__, "--export", url, "--user", username, "--database", database]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    args = parse_args()
    if args.export:
        measure_export(args.export, args.user, args.database)
        return
    version = recreate_database(args.database)
    setup_django(args.database)
    from django.core.management import call_command

    from coprod.models import Partnership
    from workshops.models import Session

    try:
        call_command("migrate", verbosity=0)
        print(f"PostgreSQL {version}; {os.cpu_count()} cores")
        from django.utils import timezone

        today = timezone.localdate()
        started = time.perf_counter()
        figures, template = generate(args, today)
        print(f"generated in {time.perf_counter() - started:.1f} s:")
        for name, (rows, seconds) in figures.items():
            print(f"  {name:<28} {rows:>10,} rows  {seconds:6.1f} s")
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
        session = Session.objects.filter(partnership=first, title="Bench session 1").get()
        from coprod.models import User
        from tests.factories import TwoFactorClient

        clients = {}
        for name in ("lead", "facilitator", "viewer", "alliance"):
            clients[name] = TwoFactorClient()  # with the second factor, as leads and staff must
            clients[name].force_login(User.objects.get(username=f"bench-{name}"))
        lead, alliance = clients["lead"], clients["alliance"]
        year = f"date_from={today.year - 1}-01-01&date_to={today.year - 1}-12-31"  # the last whole year
        screens = [
            ("session", "session screen", lead, f"/sessions/{session.pk}/results/"),
            ("partnership", "partnership screen", lead, f"/results/partnerships/{first.pk}/"),
            (
                "partnership",
                "partnership screen, 1 year",
                lead,
                f"/results/partnerships/{first.pk}/?{year}",
            ),
            ("national", "national screen", alliance, "/results/national/"),
            ("national", "national screen, labs only", alliance, "/results/national/?kind=lab"),
            (None, "results.csv, national", alliance, "/results/national/results.csv"),
            (None, "results.csv, partnership", lead, f"/results/partnerships/{first.pk}/results.csv"),
        ]
        print_table(screens, args.runs, floor)

        dashboards = [
            ("dashboard", "national dashboard", alliance, "/dashboard/"),
            ("dashboard", "national dashboard, by quarter", alliance, "/dashboard/?period=quarter"),
            ("dashboard", "national dashboard, labs, 1 year", alliance, f"/dashboard/?kind=lab&{year}"),
            ("dashboard", "partnership dashboard", lead, f"/dashboard/partnerships/{first.pk}/"),
            (None, "dashboard.csv, national", alliance, "/dashboard/dashboard.csv"),
            (None, "dashboard.csv, partnership", lead, f"/dashboard/partnerships/{first.pk}/dashboard.csv"),
            # The first request after a change of what the panels read: built from the data, then kept.
            (None, "national dashboard, built", alliance, "/dashboard/", 200, True),
            (None, "  by quarter, built", alliance, "/dashboard/?period=quarter", 200, True),
            (None, "partnership dashboard, built", lead, f"/dashboard/partnerships/{first.pk}/", 200, True),
            ("home", "home, lead", lead, "/"),
            ("home", "home, facilitator", clients["facilitator"], "/"),
            ("home", "home, viewer", clients["viewer"], "/"),
            (None, "home, ALLIANCE staff: 302", alliance, "/", 302),  # to the national dashboard, timed above
        ]
        print(f"\ndashboard and home pages ({describe_home(first, today)})")
        print_table(dashboards, args.runs, floor)

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
                (export_in_fresh_process(url, username, args.database) for _ in range(EXPORT_RUNS)),
                key=lambda run: run["seconds"],
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
            drop_database(args.database)


if __name__ == "__main__":
    main()
