"""results.csv and responses.csv: each reproduces its screen, cell for cell, withheld cells marked as on screen.

responses.csv holds exactly the answers the figures beside it count (surveys.results.pooling), so that every
figure of results.csv can be recomputed from it, and nothing more. results.ods is results.csv as a published
spreadsheet (coprod.workbook): the same cells, numbers as numbers, every withheld cell "[c]", and notes.
"""

import hashlib
import uuid

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils.crypto import salted_hmac

from coprod.csv_export import csv_cell, csv_lines
from coprod.workbook import WITHHELD, workbook
from surveys.results import pooling
from surveys.results.figures import GROUPS, SUPPRESSED, threshold

RESPONSES_HEADER = ["response_id", "pairing_id", "phase", "session", "statement", "statement_version", "value"]
EXPORT_CHUNK_ROWS = 5000


# --- results.csv ---


def _number(value, digits=1):
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    return "" if value is None else f"{value:.{digits}f}"


def _p(value):
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    return "" if value is None else f"{value:.4g}"


def _n(value):
    return str(SUPPRESSED) if value is SUPPRESSED else value


def results_row(scope, scope_name, figures):
    """One row of results.csv: percentages 0-100 with one decimal; withheld cells say "fewer than 5", as on screen."""
    return [
        scope,
        scope_name,
        figures.statement.text,
        figures.statement.version,
        _n(figures.n_pre),
        _n(figures.n_post),
        _n(figures.n_paired),
        _number(figures.pct_agree_pre),
        _number(figures.pct_agree_post),
        _number(figures.paired_pct_agree_pre),
        _number(figures.paired_pct_agree_post),
        _number(figures.change_pp),
        _number(figures.ci_low_pp),
        _number(figures.ci_high_pp),
        _p(figures.p_value),
        _number(figures.relative_change_pct),
        figures.left_out_note,
    ]


def results_lines(rows):
    return csv_lines([RESULTS_HEADER, *rows])


# --- results.ods: results.csv's rows as a published spreadsheet ---

PAIRED = "of those who answered both"
# results.csv's columns: (column, the spreadsheet's header with its unit, the group of people it rests on, meaning)
RESULTS_COLUMNS = [
    ("scope", "Scope", None, "What the row covers: a session, a programme, a partnership or Scotland (national)."),
    ("scope_name", "Scope name", None, "The session (with its date), programme, partnership or country."),
    ("statement", "Statement", None, "The statement people rated, from strongly disagree to strongly agree."),
    ("statement_version", "Statement version", None, "Which wording of the statement: a new wording starts anew."),
    ("n_pre", "Answered before (people)", "pre", "People counted who rated the statement before the session."),
    ("n_post", "Answered after (people)", "post", "People counted who rated the statement after the session."),
    ("n_paired", "Answered both (people)", "paired", "People counted who rated it before and after (pairs)."),
    ("pct_agree_pre", "Agreeing before (%)", "pre", "Share who agreed or strongly agreed before."),
    ("pct_agree_post", "Agreeing after (%)", "post", "Share who agreed or strongly agreed after."),
    ("paired_pct_agree_pre", f"Agreeing before, {PAIRED} (%)", "paired", f"The share agreeing before, {PAIRED}."),
    ("paired_pct_agree_post", f"Agreeing after, {PAIRED} (%)", "paired", f"The share agreeing after, {PAIRED}."),
    (
        "change_pp",
        "Change (percentage points)",
        "paired",
        f"Agreeing after minus agreeing before, {PAIRED}, in percentage points (not a relative change).",
    ),
    (
        "ci_low_pp",
        "Change, 95% confidence interval low (percentage points)",
        "paired",
        "The lower end of the change's 95% confidence interval (see the method below).",
    ),
    (
        "ci_high_pp",
        "Change, 95% confidence interval high (percentage points)",
        "paired",
        "The upper end of the change's 95% confidence interval.",
    ),
    (
        "p_value",
        "p-value (exact McNemar test)",
        "paired",
        "The chance of a change at least this large if, in truth, nothing had changed (see below).",
    ),
    (
        "relative_change_pct",
        "Relative change (%)",
        "paired",
        f"Agreeing after divided by agreeing before, minus 1, {PAIRED}: empty with fewer than 10 pairs or "
        "fewer than 5 of them agreeing before, where it would swing on one person.",
    ),
    ("left_out", "Left out to protect small groups", None, "What the row leaves out, and why; empty if nothing."),
]
RESULTS_HEADER = [name for name, _header, _group, _meaning in RESULTS_COLUMNS]
COLUMN_GROUPS = {name: group for name, _header, group, _meaning in RESULTS_COLUMNS}
DECIMAL_COLUMNS = {
    "pct_agree_pre",
    "pct_agree_post",
    "paired_pct_agree_pre",
    "paired_pct_agree_post",
    "change_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "relative_change_pct",
}
RESULTS_SOURCE = (
    "CoProd: the answers to the questionnaires before and after each session, counted once the session's "
    "questionnaires have closed."
)


def results_notes():
    """The Notes sheet: each column, then [c], the small-numbers rule and the statistics."""
    small = f"fewer than {threshold()}"
    return [
        *[(header, meaning) for _name, header, _group, meaning in RESULTS_COLUMNS],
        ("Agreeing", "Agree or strongly agree, of those who answered on the scale: “Don't know” is left out."),
        (
            WITHHELD,
            f"Withheld to protect people: the figure would rest on {small} people, or on nobody because only groups "
            f"of {small} answered (results.csv shows “{small}” or leaves the cell empty).",
        ),
        (
            "Small numbers",
            f"A session's answers before, after, or in pairs count only where {threshold()} or more people gave "
            "them. Pooled figures (a programme, a partnership, Scotland) add up only such groups and say in the "
            "last column how many sessions they left out, so no figure and no difference between two figures "
            f"rests on {small} people.",
        ),
        (
            "95% confidence interval",
            "Newcombe's method 10 (1998) for the difference of paired proportions: Wilson score intervals for the "
            "shares before and after, combined with a correction for their correlation. Where it includes 0, "
            "the change could be chance.",
        ),
        ("p-value", "The exact two-sided McNemar test: a binomial test of the people whose answer changed."),
        ("Percentages", "0 to 100, to one decimal place, as in results.csv."),
    ]


def _withheld(figures, name, cell):
    """results.csv shows the cell as "fewer than 5", or leaves it empty because its group of people was left out."""
    if cell == str(SUPPRESSED):
        return True
    group = COLUMN_GROUPS[name]
    return (
        cell == ""
        and group is not None
        and not figures.counts.n(group)
        and bool(figures.counts.left_out[GROUPS.index(group)])
    )


def results_sheet_row(scope, scope_name, figures):
    """results_row's cells for the spreadsheet: numbers as numbers, and WITHHELD for every cell withheld."""
    cells = []
    for name, cell in zip(RESULTS_HEADER, results_row(scope, scope_name, figures), strict=True):
        if _withheld(figures, name, cell):
            cells.append(WITHHELD)
        elif name in DECIMAL_COLUMNS and cell != "":
            cells.append(float(cell))
        else:
            cells.append(cell)
    return cells


def results_workbook(*, name, cover, entries):
    """results.ods: `entries` are results.csv's rows as (scope, scope_name, figures), in its order."""
    return workbook(
        title=f"Results of the questionnaires before and after sessions: {name}",
        cover=cover,
        notes=results_notes(),
        sheets=[
            (
                "Results",
                f"Results: {name}, one row per statement and scope",
                [header for _name, header, _group, _meaning in RESULTS_COLUMNS],
                [results_sheet_row(*entry) for entry in entries],
            )
        ],
    )


# --- responses.csv: every answer counted on the scale, anonymised, streamed ---


class OpaqueIds:
    """Stable ids for export that are not database ids: a keyed BLAKE2 hash of the response's UUID.

    The key comes from SECRET_KEY, so ids match across exports of one installation (the same response has the
    same id in a session's and the national export) but cannot be turned back into the response. The pairing
    id is the hash of the "before" response under another personalisation, shared by the two halves of a pair.
    Takes a UUID or its text (with or without dashes, as PostgreSQL and SQLite give it).

    A programme's export takes its own key (`scope="programme"`): its ids match no session's, so its rows cannot be
    joined to a session's export to learn at which session a person first or last answered.
    """

    def __init__(self, scope=""):
        self.key = salted_hmac("surveys.responses-export", f"opaque-ids{scope}", algorithm="sha256").digest()

    def _hash(self, value, person):
        raw = value.bytes if isinstance(value, uuid.UUID) else bytes.fromhex(value.replace("-", ""))
        return hashlib.blake2b(raw, key=self.key, digest_size=10, person=person).hexdigest()

    def response(self, value):
        return self._hash(value, b"response")

    def pair(self, value):
        return self._hash(value, b"pair")


def responses_lines(sessions, *, national=False):
    """The CSV in chunks of EXPORT_CHUNK_ROWS rows: memory stays flat however many answers there are.

    Straight from a server-side cursor (PostgreSQL; a plain one on SQLite): rows are narrow tuples, and what
    is the same for every answer of a response (its id, phase and session) is worked out once per response.
    """
    names, statements = pooling.export_labels(sessions=sessions)
    sessions_cells = {pk: csv_cell(name) for pk, name in names.items()}
    statement_cells = {pk: f"{csv_cell(text)},{version}" for pk, (text, version) in statements.items()}
    ids = OpaqueIds()
    header = ",".join(RESPONSES_HEADER) + "\r\n"
    try:
        query = pooling.answers_for_export(sessions=sessions, national=national).query
        sql, params = query.sql_with_params()
    except EmptyResultSet:  # no sessions at all (invalid filters): Django has no SQL for that, only the header
        yield header
        return
    lines = [header]
    last_response, head, tail = None, "", ""
    last_pairing, pairing = None, ""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(EXPORT_CHUNK_ROWS):
            for response_key, pairing_key, phase, session_id, statement_id, value in rows:
                if response_key != last_response:
                    last_response = response_key
                    head, tail = f"{ids.response(response_key)},", f",{phase},{sessions_cells[session_id]},"
                if pairing_key != last_pairing:
                    last_pairing = pairing_key
                    pairing = ids.pair(pairing_key) if pairing_key else ""
                lines.append(
                    f"{head}{pairing}{tail}{statement_cells[statement_id]},{'' if value is None else value}\r\n"
                )
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
