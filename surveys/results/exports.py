"""results.csv and responses.csv: each reproduces its screen, cell for cell, withheld cells marked as on screen.

responses.csv holds exactly the answers the figures beside it count (surveys.results.pooling), so that every
figure of results.csv can be recomputed from it, and nothing more.
"""

import hashlib
import uuid

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils.crypto import salted_hmac

from coprod.csv_export import csv_cell, csv_lines
from surveys.results import pooling
from surveys.results.figures import SUPPRESSED

RESULTS_HEADER = [
    "scope",
    "scope_name",
    "statement",
    "statement_version",
    "n_pre",
    "n_post",
    "n_paired",
    "pct_agree_pre",
    "pct_agree_post",
    "paired_pct_agree_pre",
    "paired_pct_agree_post",
    "change_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "relative_change_pct",
    "left_out",
]
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


# --- responses.csv: every answer counted on the scale, anonymised, streamed ---


class OpaqueIds:
    """Stable ids for export that are not database ids: a keyed BLAKE2 hash of the response's UUID.

    The key comes from SECRET_KEY, so ids match across exports of one installation (the same response has the
    same id in a session's and the national export) but cannot be turned back into the response. The pairing
    id is the hash of the "before" response under another personalisation, shared by the two halves of a pair.
    Takes a UUID or its text (with or without dashes, as PostgreSQL and SQLite give it).
    """

    def __init__(self):
        self.key = salted_hmac("surveys.responses-export", "opaque-ids", algorithm="sha256").digest()

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
