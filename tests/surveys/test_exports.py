"""results.csv and responses.csv: exact columns, suppression, opaque ids, no formulas, streamed, permission-checked."""

import csv
import datetime
import io
import uuid
from collections import Counter

import pytest
from django.http import StreamingHttpResponse

from surveys import results, services
from surveys.models import Phase, Response
from surveys.results import SUPPRESSED
from surveys.views.results import RESPONSES_HEADER, RESULTS_HEADER, OpaqueIds
from tests.factories import PartnershipFactory, SessionFactory
from tests.surveys.conftest import STATEMENTS, submit


def rows_of(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def _session(partnership, template, *, pairs, title="Irvine", date=datetime.date(2026, 3, 12), extra_pre=0, more=()):
    """`pairs` people answer before and after; `more`: their answers to statements added to the template."""
    session = SessionFactory(partnership=partnership, title=title, date=date)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for number in range(pairs):
        response = submit(pre, ([2, 4, 3] if number % 2 else [4, 4, None]) + list(more)).response
        submit(post, [4, 5, 2, *more], pairing_code=response.pairing_code)
    for _ in range(extra_pre):
        submit(pre, [1, 1, 1])
    return session


# --- results.csv ---


def test_results_csv_header_and_rows_for_a_partnership(client, lead, partnership, template):
    _session(partnership, template, pairs=12, extra_pre=5)
    client.force_login(lead)

    response = client.get(f"/results/partnerships/{partnership.pk}/results.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="results-north-ayrshire-hscp-')
    assert rows_of(response) == [
        RESULTS_HEADER,
        # 17 before: 6 disagree (2), 6 agree (4), 5 strongly disagree (1); 12 after, all agree; 12 paired, of
        # whom 6 agreed before: +50 points, and the exact McNemar p of 6 changes all one way, 2 / 2^6.
        [
            "partnership", "North Ayrshire HSCP", STATEMENTS[0], "1", "17", "12", "12",
            "35.3", "100.0", "50.0", "100.0", "50.0", "15.4", "74.6", "0.03125", "100.0", "",
        ],
        [
            "partnership", "North Ayrshire HSCP", STATEMENTS[1], "1", "17", "12", "12",
            "70.6", "100.0", "100.0", "100.0", "0.0", "-24.2", "24.2", "1", "0.0", "",
        ],
        # Statement 3: six "Don't know" before, left out; paired only where both are on the scale.
        [
            "partnership", "North Ayrshire HSCP", STATEMENTS[2], "1", "11", "12", "6",
            "0.0", "0.0", "0.0", "0.0", "0.0", "-39.0", "39.0", "1", "", "",
        ],
    ]  # fmt: skip
    assert RESULTS_HEADER == [
        "scope", "scope_name", "statement", "statement_version", "n_pre", "n_post", "n_paired", "pct_agree_pre",
        "pct_agree_post", "paired_pct_agree_pre", "paired_pct_agree_post", "change_pp", "ci_low_pp", "ci_high_pp",
        "p_value", "relative_change_pct", "suppressed",
    ]  # fmt: skip


def test_results_csv_leaves_withheld_cells_empty_and_says_so(client, lead, partnership, template):
    _session(partnership, template, pairs=3)
    client.force_login(lead)

    rows = rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv"))

    assert rows[1] == [
        "partnership", "North Ayrshire HSCP", STATEMENTS[0], "1", "", "", "", "", "", "", "", "", "", "", "", "",
        "fewer than 5 respondents: n_pre pct_agree_pre n_post pct_agree_post n_paired paired_pct_agree_pre "
        "paired_pct_agree_post change_pp ci_low_pp ci_high_pp p_value relative_change_pct",
    ]  # fmt: skip


def test_results_csv_of_a_session_is_suppressed_like_any_export(client, lead, partnership, template):
    session = _session(partnership, template, pairs=3, extra_pre=5)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))

    assert [row[:8] for row in rows[1:]] == [
        ["session", "Irvine (12 Mar 2026)", STATEMENTS[0], "1", "8", "", "", "25.0"],
        ["session", "Irvine (12 Mar 2026)", STATEMENTS[1], "1", "8", "", "", "37.5"],
        ["session", "Irvine (12 Mar 2026)", STATEMENTS[2], "1", "6", "", "", "0.0"],
    ]


def test_results_csv_national_then_partnerships_leaving_small_groups_out(client, alliance, template):
    _session(PartnershipFactory(name="Aberdeen City HSCP"), template, pairs=3)
    _session(PartnershipFactory(name="Glasgow City HSCP"), template, pairs=12)
    _session(PartnershipFactory(name="North Ayrshire HSCP"), template, pairs=30)
    client.force_login(alliance)

    rows = rows_of(client.get("/results/national/results.csv"))

    assert [row[:7] for row in rows[1:]] == [
        # Scotland leaves Aberdeen's 3 out: 42 - 12 - 30 gives nothing away.
        ["national", "Scotland", STATEMENTS[0], "1", "42", "42", "42"],
        ["national", "Scotland", STATEMENTS[1], "1", "42", "42", "42"],
        ["national", "Scotland", STATEMENTS[2], "1", "21", "42", "21"],
        ["partnership", "Aberdeen City HSCP", STATEMENTS[0], "1", "", "", ""],
        ["partnership", "Glasgow City HSCP", STATEMENTS[0], "1", "12", "12", "12"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[0], "1", "30", "30", "30"],
        ["partnership", "Aberdeen City HSCP", STATEMENTS[1], "1", "", "", ""],
        ["partnership", "Glasgow City HSCP", STATEMENTS[1], "1", "12", "12", "12"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[1], "1", "30", "30", "30"],
        ["partnership", "Aberdeen City HSCP", STATEMENTS[2], "1", "", "", ""],
        ["partnership", "Glasgow City HSCP", STATEMENTS[2], "1", "6", "12", "6"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[2], "1", "15", "30", "15"],
    ]


def test_results_csv_follows_the_filters(client, lead, partnership, template):
    _session(partnership, template, pairs=12, date=datetime.date(2025, 6, 1))
    _session(partnership, template, pairs=7, date=datetime.date(2026, 6, 1), title="Largs")
    client.force_login(lead)

    rows = rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv", {"date_from": "2026-01-01"}))

    # The third statement: 4 of the 7 said "Don't know" before, so 3 answered on the scale: withheld.
    assert [row[4:7] for row in rows[1:]] == [["7", "7", "7"], ["7", "7", "7"], ["", "7", ""]]


def test_results_csv_neutralises_formulas(client, lead, partnership, template):
    services.template_item_add(template=template, text='=HYPERLINK("http://evil.example")')
    session = _session(partnership, template, pairs=1, title="@SUM(A1) session", more=[4])
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))

    assert [row[1] for row in rows[1:]] == ["'@SUM(A1) session (12 Mar 2026)"] * 4
    assert rows[4][2] == '\'=HYPERLINK("http://evil.example")'


# --- responses.csv ---


def test_responses_csv_rows_with_opaque_ids_and_pairing(client, lead, partnership, template):
    session = SessionFactory(partnership=partnership, title="Irvine", date=datetime.date(2026, 3, 12))
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    paired_pre = submit(pre, [2, None, 5]).response
    lonely_pre = submit(pre, [1, 1, 1]).response
    paired_post = submit(post, [4, 4, 4], pairing_code=paired_pre.pairing_code).response
    client.force_login(lead)

    response = client.get(f"/sessions/{session.pk}/responses.csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="responses-irvine-12-mar-2026-')
    rows = rows_of(response)
    ids = OpaqueIds()
    pair = ids.pair(paired_pre.id)
    expected = [
        [ids.response(paired_pre.id), pair, "pre", "Irvine (12 Mar 2026)", STATEMENTS[0], "1", "2"],
        [ids.response(paired_pre.id), pair, "pre", "Irvine (12 Mar 2026)", STATEMENTS[1], "1", ""],
        [ids.response(paired_pre.id), pair, "pre", "Irvine (12 Mar 2026)", STATEMENTS[2], "1", "5"],
        [ids.response(lonely_pre.id), "", "pre", "Irvine (12 Mar 2026)", STATEMENTS[0], "1", "1"],
        [ids.response(lonely_pre.id), "", "pre", "Irvine (12 Mar 2026)", STATEMENTS[1], "1", "1"],
        [ids.response(lonely_pre.id), "", "pre", "Irvine (12 Mar 2026)", STATEMENTS[2], "1", "1"],
        [ids.response(paired_post.id), pair, "post", "Irvine (12 Mar 2026)", STATEMENTS[0], "1", "4"],
        [ids.response(paired_post.id), pair, "post", "Irvine (12 Mar 2026)", STATEMENTS[1], "1", "4"],
        [ids.response(paired_post.id), pair, "post", "Irvine (12 Mar 2026)", STATEMENTS[2], "1", "4"],
    ]
    assert rows[0] == RESPONSES_HEADER == [
        "response_id", "pairing_id", "phase", "session", "statement", "statement_version", "value",
    ]  # fmt: skip
    assert sorted(rows[1:]) == sorted(expected)
    database_ids = {str(r.id) for r in Response.objects.all()} | {r.id.hex for r in Response.objects.all()}
    assert {row[0] for row in rows[1:]} & database_ids == set()
    assert all(len(row[0]) == 20 for row in rows[1:])
    assert len({pair, ids.response(paired_pre.id), ids.response(paired_post.id)}) == 3


def test_responses_csv_order_is_the_random_ids_not_the_order_of_submission(client, lead, pre_survey):
    """Rows in stored order would line up with a web server log's times and addresses."""
    submitted = [submit(pre_survey, [1 + n % 5, 3, 3]).response for n in range(12)]
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{pre_survey.session_id}/responses.csv"))

    ids = OpaqueIds()
    order = list(dict.fromkeys(row[0] for row in rows[1:]))
    assert order == [ids.response(r.id) for r in sorted(submitted, key=lambda r: r.id.bytes)]
    assert order != [ids.response(r.id) for r in submitted]


def test_responses_csv_leaves_written_answers_out(client, lead, post_survey):
    text_id = post_survey.items.get(statement__kind="text").statement_id
    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers={item.statement_id: 3 for item in post_survey.items.filter(statement__kind="scale")}
        | {text_id: "My name is Morag."},
    )
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{post_survey.session_id}/responses.csv"))

    assert [row[4] for row in rows[1:]] == STATEMENTS
    assert "Morag" not in str(rows)


def test_responses_csv_neutralises_formulas(client, lead, partnership, template):
    services.template_item_add(template=template, text="-1+1 is what I think")
    session = _session(partnership, template, pairs=1, title="+44 phone session", more=[4])
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert {row[3] for row in rows[1:]} == {"'+44 phone session (12 Mar 2026)"}
    assert {row[4] for row in rows[1:]} == {*STATEMENTS, "'-1+1 is what I think"}


def test_responses_csv_streams_in_chunks(client, lead, partnership, template, monkeypatch):
    monkeypatch.setattr("surveys.views.results.EXPORT_CHUNK_ROWS", 4)
    session = _session(partnership, template, pairs=2)
    client.force_login(lead)

    response = client.get(f"/sessions/{session.pk}/responses.csv")

    chunks = list(response.streaming_content)
    assert [chunk.decode().count("\r\n") for chunk in chunks] == [5, 4, 4]  # the header, then 4 rows a chunk
    assert len(rows_of_chunks(chunks)) == 13


def test_responses_csv_without_answers_is_its_header(client, lead, session):
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert rows == [RESPONSES_HEADER]


def rows_of_chunks(chunks):
    return list(csv.reader(io.StringIO(b"".join(chunks).decode())))


def _export_groups(rows):
    """{(session, statement number, phase, has a pairing id): rows} of a responses.csv."""
    return dict(Counter((row[3].split(" (")[0], STATEMENTS.index(row[4]), row[2], bool(row[1])) for row in rows[1:]))


@pytest.fixture
def sessions_big_and_small(partnership, other_partnership, template):
    """Half of each session's people say "Don't know" to the third statement before (see `_session`)."""
    _session(partnership, template, pairs=6, title="Irvine")
    _session(partnership, template, pairs=6, title="Largs", extra_pre=2)  # 2 answered only before
    _session(other_partnership, template, pairs=5, title="Torry")
    _session(other_partnership, template, pairs=3, title="Aboyne")


# Irvine's 6 pairs count; on the third statement only 3 answered before on the scale, so their answers before
# (and the "Don't know"s) and their pairs are left out. Largs's pairs count, but its answers before on the first
# two statements only as theirs: the 2 who answered only before are left out (the share agreeing among its 8
# less that among its 6 pairs would give their answers away).
PARTNERSHIP_EXPORT = {
    ("Irvine", 0, "pre", True): 6,
    ("Irvine", 1, "pre", True): 6,
    ("Irvine", 0, "post", True): 6,
    ("Irvine", 1, "post", True): 6,
    ("Irvine", 2, "post", False): 6,
    ("Largs", 0, "pre", True): 6,
    ("Largs", 1, "pre", True): 6,
    ("Largs", 2, "pre", False): 8,  # 3 on the scale, 3 "Don't know" and the 2 who answered only before
    ("Largs", 0, "post", True): 6,
    ("Largs", 1, "post", True): 6,
    ("Largs", 2, "post", False): 6,
}


def test_responses_csv_of_a_partnership_holds_the_answers_its_figures_count(
    client, lead, partnership, sessions_big_and_small
):
    client.force_login(lead)

    rows = rows_of(client.get(f"/results/partnerships/{partnership.pk}/responses.csv"))
    figures = results.partnership_figures(partnership, {})

    assert _export_groups(rows) == PARTNERSHIP_EXPORT
    for number, figure in enumerate(figures):
        answers = [row for row in rows[1:] if row[4] == STATEMENTS[number] and row[6]]
        pairs = Counter(row[1] for row in answers if row[1])
        counted = 0 if figure.n_paired is SUPPRESSED else figure.n_paired
        assert sum(count == 2 for count in pairs.values()) == counted  # withheld here: none counted


def test_responses_csv_national_holds_the_answers_its_figures_count(client, alliance, sessions_big_and_small):
    client.force_login(alliance)

    rows = rows_of(client.get("/results/national/responses.csv"))

    # Torry's 5 pairs count, but not on the third statement, where 2 answered before on the scale; Aboyne's
    # 3 are left out altogether.
    assert _export_groups(rows) == PARTNERSHIP_EXPORT | {
        ("Torry", 0, "pre", True): 5,
        ("Torry", 1, "pre", True): 5,
        ("Torry", 0, "post", True): 5,
        ("Torry", 1, "post", True): 5,
        ("Torry", 2, "post", False): 5,
    }


def test_responses_csv_of_a_session_keeps_every_answer(client, lead, partnership, template):
    session = _session(partnership, template, pairs=3, title="Largs", extra_pre=2)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert _export_groups(rows) == {
        ("Largs", number, phase, True): 3 for number in range(3) for phase in ("pre", "post")
    } | {("Largs", number, "pre", False): 2 for number in range(3)}


@pytest.mark.parametrize(
    "url",
    [
        "/results/partnerships/{other}/results.csv",
        "/results/partnerships/{other}/responses.csv",
        "/sessions/{other_session}/results.csv",
        "/sessions/{other_session}/responses.csv",
    ],
)
def test_lead_exports_only_their_partnership(client, lead, other_partnership, template, url):
    other_session = _session(other_partnership, template, pairs=1)
    client.force_login(lead)

    response = client.get(url.format(other=other_partnership.pk, other_session=other_session.pk))

    assert response.status_code == 404
    assert b"Irvine" not in response.content


@pytest.mark.parametrize("url", ["/results/national/results.csv", "/results/national/responses.csv"])
def test_national_exports_are_for_alliance_staff_only(client, lead, url):
    client.force_login(lead)

    response = client.get(url)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
