"""results.csv and responses.csv: exact columns, small groups withheld or left out, opaque ids, no formulas, streamed,
released answers only, permission-checked."""

import csv
import dataclasses
import datetime
import io
import uuid
from collections import Counter

import pytest
from django.http import StreamingHttpResponse

from surveys import services
from surveys.models import Phase, Response
from surveys.results import pooling
from surveys.results.exports import RESPONSES_HEADER, RESULTS_HEADER, OpaqueIds
from surveys.results.figures import Counts
from tests.factories import PartnershipFactory, SessionFactory
from tests.surveys.conftest import STATEMENTS, release, submit


def rows_of(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def _session(
    partnership,
    template,
    *,
    pairs,
    title="Irvine",
    date=datetime.date(2026, 3, 12),
    extra_pre=0,
    more=(),
    released=True,
):
    """`pairs` people answer before and after; `more`: their answers to statements added to the template. The
    even-numbered say "Don't know" to the third statement before. Released unless `released` is False."""
    session = SessionFactory(partnership=partnership, title=title, date=date)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for number in range(pairs):
        response = submit(pre, ([2, 4, 3] if number % 2 else [4, 4, None]) + list(more)).response
        submit(post, [4, 5, 2, *more], pairing_code=response.pairing_code)
    for _ in range(extra_pre):
        submit(pre, [1, 1, 1])
    if released:
        release(pre, post)
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
        "p_value", "relative_change_pct", "left_out",
    ]  # fmt: skip


def test_results_csv_of_a_partnership_counts_no_small_group_and_says_what_it_left_out(
    client, lead, partnership, template
):
    _session(partnership, template, pairs=3)
    client.force_login(lead)

    rows = rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv"))

    assert rows[1] == [
        "partnership", "North Ayrshire HSCP", STATEMENTS[0], "1", "0", "0", "0", "", "", "", "", "", "", "", "", "",
        "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from 1 "
        "session, pairs from 1 session.",
    ]  # fmt: skip


def test_results_csv_of_a_session_withholds_small_groups_as_its_screen_does(client, lead, partnership, template):
    """8 answered before (counted in full: only 3 of them answered both, fewer than 5); 3 after: withheld."""
    session = _session(partnership, template, pairs=3, extra_pre=5)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))

    few = "fewer than 5"
    note = (
        "Fewer than 5 people answered after: their answers are not shown. "
        "Fewer than 5 people answered both questionnaires: the change is not shown."
    )
    name = "Irvine (12 Mar 2026)"
    assert rows[1:] == [
        ["session", name, STATEMENTS[number], "1", n_pre, few, few, agree, *[few] * 7, "", note]
        for number, n_pre, agree in [(0, "8", "25.0"), (1, "8", "37.5"), (2, "6", "0.0")]
    ]


def test_results_csv_of_a_session_is_its_header_until_released(client, lead, partnership, template):
    session = _session(partnership, template, pairs=12, released=False)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))

    assert rows == [RESULTS_HEADER]


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
        ["partnership", "Aberdeen City HSCP", STATEMENTS[0], "1", "0", "0", "0"],
        ["partnership", "Glasgow City HSCP", STATEMENTS[0], "1", "12", "12", "12"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[0], "1", "30", "30", "30"],
        ["partnership", "Aberdeen City HSCP", STATEMENTS[1], "1", "0", "0", "0"],
        ["partnership", "Glasgow City HSCP", STATEMENTS[1], "1", "12", "12", "12"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[1], "1", "30", "30", "30"],
        ["partnership", "Aberdeen City HSCP", STATEMENTS[2], "1", "0", "0", "0"],
        ["partnership", "Glasgow City HSCP", STATEMENTS[2], "1", "6", "12", "6"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[2], "1", "15", "30", "15"],
    ]


def test_results_csv_follows_the_filters(client, lead, partnership, template):
    _session(partnership, template, pairs=12, date=datetime.date(2025, 6, 1))
    _session(partnership, template, pairs=7, date=datetime.date(2026, 6, 1), title="Largs")
    client.force_login(lead)

    rows = rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv", {"date_from": "2026-01-01"}))

    # The third statement: 4 of the 7 said "Don't know" before, so 3 answered before on the scale, and 3 both:
    # fewer than 5, left out; the 7 answers after count.
    assert [row[4:7] for row in rows[1:]] == [["7", "7", "7"], ["7", "7", "7"], ["0", "7", "0"]]
    assert [row[16] for row in rows[1:]] == [
        "",
        "",
        "Left out to protect groups of fewer than 5 people: answers before from 1 session, pairs from 1 session.",
    ]


def test_results_csv_neutralises_formulas(client, lead, partnership, template):
    services.template_item_add(template=template, text='=HYPERLINK("http://evil.example")')
    session = _session(partnership, template, pairs=1, title="@SUM(A1) session", more=[4])
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))

    assert [row[1] for row in rows[1:]] == ["'@SUM(A1) session (12 Mar 2026)"] * 4
    assert rows[4][2] == '\'=HYPERLINK("http://evil.example")'


def test_results_csv_leaves_negative_numbers_as_numbers(client, lead, partnership, template):
    _session(partnership, template, pairs=12, extra_pre=5)
    client.force_login(lead)

    rows = rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv"))

    assert [row[12:14] for row in rows[1:]] == [["15.4", "74.6"], ["-24.2", "24.2"], ["-39.0", "39.0"]]


# --- responses.csv ---


def test_responses_csv_rows_with_opaque_ids_and_pairing(client, lead, partnership, template):
    """5 pairs (who say "Don't know" to the second statement before) and 5 who answered only before."""
    session = SessionFactory(partnership=partnership, title="Irvine", date=datetime.date(2026, 3, 12))
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    paired = []
    for _ in range(5):
        before = submit(pre, [2, None, 5]).response
        paired.append((before, submit(post, [4, 4, 4], pairing_code=before.pairing_code).response))
    lonely = [submit(pre, [1, 1, 1]).response for _ in range(5)]
    release(pre, post)
    client.force_login(lead)

    response = client.get(f"/sessions/{session.pk}/responses.csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="responses-irvine-12-mar-2026-')
    rows = rows_of(response)
    ids = OpaqueIds()
    name = "Irvine (12 Mar 2026)"
    expected = []
    # Statements 1 and 3: the pairs count, with their pairing id. Statement 2: no pairs (the pairs said "Don't know"
    # before); the answers before count in full, "Don't know"s included, and the answers after too, unpaired.
    for before, after in paired:
        pair = ids.pair(before.id)
        expected += [
            [ids.response(before.id), pair, "pre", name, STATEMENTS[0], "1", "2"],
            [ids.response(before.id), "", "pre", name, STATEMENTS[1], "1", ""],
            [ids.response(before.id), pair, "pre", name, STATEMENTS[2], "1", "5"],
            [ids.response(after.id), pair, "post", name, STATEMENTS[0], "1", "4"],
            [ids.response(after.id), "", "post", name, STATEMENTS[1], "1", "4"],
            [ids.response(after.id), pair, "post", name, STATEMENTS[2], "1", "4"],
        ]
    for alone in lonely:
        expected += [[ids.response(alone.id), "", "pre", name, statement, "1", "1"] for statement in STATEMENTS]
    assert rows[0] == RESPONSES_HEADER == [
        "response_id", "pairing_id", "phase", "session", "statement", "statement_version", "value",
    ]  # fmt: skip
    assert sorted(rows[1:]) == sorted(expected)
    database_ids = {str(r.id) for r in Response.objects.all()} | {r.id.hex for r in Response.objects.all()}
    assert {row[0] for row in rows[1:]} & database_ids == set()
    assert all(len(row[0]) == 20 for row in rows[1:])
    before, after = paired[0]
    assert len({ids.pair(before.id), ids.response(before.id), ids.response(after.id)}) == 3


def test_responses_csv_order_is_the_random_ids_not_the_order_of_submission(client, lead, pre_survey):
    """Rows in stored order would line up with a web server log's times and addresses."""
    submitted = [submit(pre_survey, [1 + n % 5, 3, 3]).response for n in range(12)]
    release(pre_survey)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{pre_survey.session_id}/responses.csv"))

    ids = OpaqueIds()
    order = list(dict.fromkeys(row[0] for row in rows[1:]))
    assert order == [ids.response(r.id) for r in sorted(submitted, key=lambda r: r.id.bytes)]
    assert order != [ids.response(r.id) for r in submitted]


def test_responses_csv_leaves_written_answers_out(client, lead, post_survey):
    text_id = post_survey.items.get(statement__kind="text").statement_id
    scale = {item.statement_id: 3 for item in post_survey.items.filter(statement__kind="scale")}
    for answers in [scale | {text_id: "My name is Morag."}] + [scale] * 4:
        services.response_submit(survey=post_survey, submission_key=uuid.uuid4(), answers=answers)
    release(post_survey)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{post_survey.session_id}/responses.csv"))

    assert [row[4] for row in rows[1:]] == STATEMENTS * 5
    assert "Morag" not in str(rows)


def test_responses_csv_neutralises_formulas(client, lead, partnership, template):
    services.template_item_add(template=template, text="-1+1 is what I think")
    session = _session(partnership, template, pairs=5, title="+44 phone session", more=[4])
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert {row[3] for row in rows[1:]} == {"'+44 phone session (12 Mar 2026)"}
    assert {row[4] for row in rows[1:]} == {*STATEMENTS, "'-1+1 is what I think"}


def test_responses_csv_streams_in_chunks(client, lead, partnership, template, monkeypatch):
    monkeypatch.setattr("surveys.results.exports.EXPORT_CHUNK_ROWS", 4)
    # 25 answers count: both answers of the 5 pairs to the first two statements, and the 5 after to the third.
    session = _session(partnership, template, pairs=5)
    client.force_login(lead)

    response = client.get(f"/sessions/{session.pk}/responses.csv")

    chunks = list(response.streaming_content)
    assert [chunk.decode().count("\r\n") for chunk in chunks] == [5, 4, 4, 4, 4, 4, 1]  # the header, 4 rows a chunk
    assert len(rows_of_chunks(chunks)) == 26


def test_responses_csv_is_exactly_these_bytes(client, lead, partnership, template):
    """The whole body, byte for byte: order, quoting, neutralised formulas, empty "Don't know"s, line ends.

    6 people answer before, 5 of them after too. The first says "Don't know" to the second statement before, so on
    it only 4 pairs are on the scale: too few, and everyone's answers count in full, unpaired. On the others the 5
    pairs count; the one who answered only before is too few on their own, so the answers before are the pairs'.
    """
    services.template_item_add(template=template, text='=SUM(A1), or "so"')
    session = SessionFactory(partnership=partnership, title='Irvine, "North"', date=datetime.date(2026, 3, 12))
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    befores = [submit(pre, [4, None if number == 0 else 2, 5, 4]).response for number in range(6)]
    afters = [submit(post, [5, 3, 1, 4], pairing_code=before.pairing_code).response for before in befores[:5]]
    release(pre, post)
    client.force_login(lead)

    response = client.get(f"/sessions/{session.pk}/responses.csv")

    ids = OpaqueIds()
    name = '"Irvine, ""North"" (12 Mar 2026)"'
    s1, s2, s3 = (f"{text},1" for text in STATEMENTS)
    s4 = '"\'=SUM(A1), or ""so""",1'
    lines = {befores[5].id: [f"{ids.response(befores[5].id)},,pre,{name},{s2},2"]}  # answered only before
    for number, (before, after) in enumerate(zip(befores, afters, strict=False)):
        pair, head = ids.pair(before.id), f"{ids.response(before.id)},"
        lines[before.id] = [
            f"{head}{pair},pre,{name},{s1},4",
            f"{head},pre,{name},{s2},{'' if number == 0 else 2}",
            f"{head}{pair},pre,{name},{s3},5",
            f"{head}{pair},pre,{name},{s4},4",
        ]
        head = f"{ids.response(after.id)},"
        lines[after.id] = [
            f"{head}{pair},post,{name},{s1},5",
            f"{head},post,{name},{s2},3",
            f"{head}{pair},post,{name},{s3},1",
            f"{head}{pair},post,{name},{s4},4",
        ]
    in_order = [line for key in sorted(lines, key=lambda key: key.bytes) for line in lines[key]]
    expected = "".join(
        f"{line}\r\n" for line in ["response_id,pairing_id,phase,session,statement,statement_version,value", *in_order]
    )
    assert b"".join(response.streaming_content).decode() == expected


def test_responses_csv_without_answers_is_its_header(client, lead, session):
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert rows == [RESPONSES_HEADER]


@pytest.mark.parametrize(
    "url", ["/sessions/{session}/responses.csv", "/results/partnerships/{partnership}/responses.csv"]
)
def test_responses_csv_holds_no_unreleased_answer(client, lead, partnership, template, url):
    session = _session(partnership, template, pairs=12, released=False)
    client.force_login(lead)

    rows = rows_of(client.get(url.format(session=session.pk, partnership=partnership.pk)))

    assert rows == [RESPONSES_HEADER]


def rows_of_chunks(chunks):
    return list(csv.reader(io.StringIO(b"".join(chunks).decode())))


def _export_groups(rows):
    """{(session, statement number, phase, has a pairing id): rows} of a responses.csv."""
    return dict(Counter((row[3].split(" (")[0], STATEMENTS.index(row[4]), row[2], bool(row[1])) for row in rows[1:]))


def recomputed(rows, statement):
    """The Counts of `statement` (but what was left out), worked out again from responses.csv `rows`."""
    answers = [row for row in rows[1:] if row[4] == statement]

    def spread(phase):
        values = [row[6] for row in answers if row[2] == phase]
        return tuple(values.count(str(value)) for value in range(1, 6)), values.count("")

    halves = {}
    for row in answers:
        if row[1] and row[6]:
            halves.setdefault(row[1], {})[row[2]] = int(row[6]) >= 4
    cells = Counter((pair["pre"], pair["post"]) for pair in halves.values() if len(pair) == 2)
    (pre, pre_dont_know), (post, post_dont_know) = spread("pre"), spread("post")
    return Counts(
        pre=pre,
        pre_dont_know=pre_dont_know,
        post=post,
        post_dont_know=post_dont_know,
        both=cells[True, True],
        improved=cells[False, True],
        worsened=cells[True, False],
        neither=cells[False, False],
    )


def without_left_out(counts):
    return dataclasses.replace(counts, left_out=(0, 0, 0))


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
    figures = pooling.partnership_figures(partnership, {})

    assert _export_groups(rows) == PARTNERSHIP_EXPORT
    assert [recomputed(rows, figure.statement.text) for figure in figures] == [
        without_left_out(figure.counts) for figure in figures
    ]
    assert [(figure.n_pre, figure.n_post, figure.n_paired) for figure in figures] == [(12, 12, 12)] * 2 + [(5, 12, 0)]


def test_responses_csv_national_holds_the_answers_its_figures_count(client, alliance, sessions_big_and_small):
    client.force_login(alliance)

    rows = rows_of(client.get("/results/national/responses.csv"))
    scotland = [item.figures for item in pooling.national_results({})]

    # Torry's 5 pairs count, but not on the third statement, where 2 answered before on the scale; Aboyne's
    # 3 are left out altogether.
    assert _export_groups(rows) == PARTNERSHIP_EXPORT | {
        ("Torry", 0, "pre", True): 5,
        ("Torry", 1, "pre", True): 5,
        ("Torry", 0, "post", True): 5,
        ("Torry", 1, "post", True): 5,
        ("Torry", 2, "post", False): 5,
    }
    assert [recomputed(rows, figure.statement.text) for figure in scotland] == [
        without_left_out(figure.counts) for figure in scotland
    ]


def test_responses_csv_national_holds_national_statements_only(client, alliance, partnership, template):
    copy = services.template_copy(template=template, partnership=partnership)
    services.template_item_add(template=copy, text="I know our local carers' centre.")
    _session(partnership, copy, pairs=6, more=[4])
    client.force_login(alliance)

    national = rows_of(client.get("/results/national/responses.csv"))
    local = rows_of(client.get(f"/results/partnerships/{partnership.pk}/responses.csv"))

    assert {row[4] for row in national[1:]} == set(STATEMENTS)
    assert {row[4] for row in local[1:]} == {*STATEMENTS, "I know our local carers' centre."}


def test_responses_csv_of_a_session_holds_only_the_answers_its_figures_count(client, lead, partnership, template):
    """3 pairs and 2 who answered only before: only the 5 answers before to the first two statements count."""
    session = _session(partnership, template, pairs=3, title="Largs", extra_pre=2)
    client.force_login(lead)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))
    figures = pooling.session_figures(session)

    assert _export_groups(rows) == {("Largs", 0, "pre", False): 5, ("Largs", 1, "pre", False): 5}
    assert [recomputed(rows, figure.statement.text) for figure in figures] == [
        without_left_out(figure.counts) for figure in figures
    ]


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
