"""Rollups: each session's answers counted per statement version, kept in step with every submission.

Results read these counts, never the answers themselves: a national screen then adds up a few thousand rows
(one per session and statement) instead of scanning millions of answers.

- `rollup_count_response` adds one new response to its session's counts, inside the submission's own
  transaction: one INSERT ... ON CONFLICT DO UPDATE that adds to the row, so concurrent submissions to the
  same session each add their own ones (the row lock serialises them; none is lost, and rows are always
  locked in statement order, so two submissions cannot deadlock).
- `rollups_rebuild` recomputes every count from the raw answers in two INSERT ... SELECT statements
  (`manage.py rebuild_rollups`), while new responses wait.

Both are plain SQL that PostgreSQL and SQLite (3.24+) run alike.
"""

from django.db import connection, transaction

from coprod import panels
from surveys.models import (
    ROLLUP_FIELDS,
    Answer,
    Phase,
    Response,
    SessionRollup,
    Statement,
    StatementKind,
    StatementRollup,
    Survey,
)
from workshops.models import Session

AGREE_FROM = 4  # Agree (4) or Strongly agree (5)


def _name(model):
    return connection.ops.quote_name(model._meta.db_table)


def _upsert_sql(model, keys, adds, rows, *, row=None):
    """INSERT of `rows` rows that, where the key is already there, adds the new counts to the stored ones."""
    table = _name(model)
    row = row or "(" + ", ".join(["%s"] * (len(keys) + len(adds))) + ")"
    columns = ", ".join(keys + adds)
    added = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in adds)
    # Table and column names from the models, values as parameters: nothing here comes from input.
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)} "  # noqa: S608
    return sql + f"ON CONFLICT ({', '.join(key for key in keys if key != 'partnership_id')}) DO UPDATE SET {added}"


def _cell(before, after):
    if before >= AGREE_FROM:
        return "paired_both" if after >= AGREE_FROM else "paired_worsened"
    return "paired_improved" if after >= AGREE_FROM else "paired_neither"


def rollup_count_response(*, survey, answers, scale_ids, pre=None):
    """Add a response just stored to its session's rollups. Call inside the transaction that stored it.

    `answers` maps statement ids to 1-5, None ("Don't know") or text; only `scale_ids` are counted. `pre` is
    the "before" response an "after" response is paired with: answers on the scale to the same statement
    version, before and after, fill the paired 2x2 table.
    """
    counted = sorted(statement_id for statement_id in answers if statement_id in scale_ids)
    paired_values = {}
    if pre is not None and counted:
        paired_values = dict(
            Answer.objects.filter(response_id=pre.pk, statement_id__in=counted, value__isnull=False).values_list(
                "statement_id", "value"
            )
        )
    params = []
    for statement_id in counted:
        value = answers[statement_id]
        counts = dict.fromkeys(ROLLUP_FIELDS, 0)
        counts[f"{survey.phase}_{'dont_know' if value is None else value}"] = 1
        if value is not None and statement_id in paired_values:
            before = paired_values[statement_id]
            counts[_cell(before, value)] = 1
            counts[f"paired_pre_{before}"] = 1
            counts[f"paired_post_{value}"] = 1
        params += [survey.session_id, survey.session_id, statement_id, *counts.values()]
    with connection.cursor() as cursor:
        if counted:
            # The partnership comes from the session inside the statement itself: no query of its own.
            partnership = f"(SELECT partnership_id FROM {_name(Session)} WHERE id = %s)"  # noqa: S608
            row = f"(%s, {partnership}, {', '.join(['%s'] * (1 + len(ROLLUP_FIELDS)))})"
            keys = ["session_id", "partnership_id", "statement_id"]
            cursor.execute(_upsert_sql(StatementRollup, keys, ROLLUP_FIELDS, len(counted), row=row), params)
        phase_counts = [int(survey.phase == Phase.PRE), int(survey.phase == Phase.POST), int(pre is not None)]
        cursor.execute(
            _upsert_sql(SessionRollup, ["session_id"], ["pre_responses", "post_responses", "paired"], 1),
            [survey.session_id, *phase_counts],
        )


def _sum_if(condition):
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _rebuild_statement_sql():
    value_sums = []
    for phase in (Phase.PRE, Phase.POST):
        for value in (1, 2, 3, 4, 5):
            value_sums.append(_sum_if(f"s.phase = '{phase}' AND a.value = {value}"))
        value_sums.append(_sum_if(f"s.phase = '{phase}' AND a.value IS NULL"))
    # `b` is the paired "before" answer: joined for "after" answers only, and only when on the scale.
    agree_after, agree_before = f"a.value >= {AGREE_FROM}", f"b.value >= {AGREE_FROM}"
    paired_sums = [
        _sum_if(f"{agree_before} AND {agree_after}"),
        _sum_if(f"b.value < {AGREE_FROM} AND {agree_after}"),
        _sum_if(f"{agree_before} AND a.value < {AGREE_FROM}"),
        _sum_if(f"b.value < {AGREE_FROM} AND a.value < {AGREE_FROM}"),
    ]
    # The pairs' own answers before and after: `b` is only there when both are on the scale.
    paired_sums += [_sum_if(f"b.value = {value}") for value in (1, 2, 3, 4, 5)]
    paired_sums += [_sum_if(f"b.value IS NOT NULL AND a.value = {value}") for value in (1, 2, 3, 4, 5)]
    columns = ", ".join(["session_id", "partnership_id", "statement_id", *ROLLUP_FIELDS])
    return f"""
        INSERT INTO {_name(StatementRollup)} ({columns})
        SELECT s.session_id, session.partnership_id, a.statement_id, {", ".join(value_sums + paired_sums)}
        FROM {_name(Answer)} a
        JOIN {_name(Statement)} st ON st.id = a.statement_id AND st.kind = '{StatementKind.SCALE}'
        JOIN {_name(Response)} r ON r.id = a.response_id
        JOIN {_name(Survey)} s ON s.id = r.survey_id
        JOIN {_name(Session)} session ON session.id = s.session_id
        LEFT JOIN {_name(Answer)} b ON s.phase = '{Phase.POST}' AND b.response_id = r.paired_with_id
            AND b.statement_id = a.statement_id AND b.value IS NOT NULL AND a.value IS NOT NULL
        GROUP BY s.session_id, session.partnership_id, a.statement_id
    """  # noqa: S608 (table and column names from the models, no input)


def _rebuild_session_sql():
    return f"""
        INSERT INTO {_name(SessionRollup)} (session_id, pre_responses, post_responses, paired)
        SELECT s.session_id, {_sum_if(f"s.phase = '{Phase.PRE}'")}, {_sum_if(f"s.phase = '{Phase.POST}'")},
            {_sum_if("r.paired_with_id IS NOT NULL")}
        FROM {_name(Response)} r
        JOIN {_name(Survey)} s ON s.id = r.survey_id
        GROUP BY s.session_id
    """  # noqa: S608


@transaction.atomic
def rollups_rebuild():
    """Recompute every rollup from the answers; returns (statement rollups, session rollups) stored.

    On PostgreSQL, new responses wait for the rebuild (a SHARE lock on the responses table), so none is
    counted twice or missed; SQLite lets one writer in at a time anyway.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_name(Response)} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {_name(StatementRollup)}")  # noqa: S608 (table names, not input)
        cursor.execute(f"DELETE FROM {_name(SessionRollup)}")  # noqa: S608
        cursor.execute(_rebuild_statement_sql())
        statements = cursor.rowcount
        cursor.execute(_rebuild_session_sql())
        sessions = cursor.rowcount
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: every row of both tables has just been replaced.
            cursor.execute(f"ANALYZE {_name(StatementRollup)}, {_name(SessionRollup)}")
    panels.changed("answers")  # the same counts, if they were right: no cached panel is trusted to be
    return statements, sessions
