"""Disclosure: what results screens and downloads could give away about a few people, seen only from outside.

Every figure is read through the public URLs, as the lead, a viewer or ALLIANCE staff would read it, so that
these tests hold any version of the results code to the same promises (PRODUCT.md, "Anonymity"): nothing rests
on fewer than 5 people, totals add up, responses.csv reproduces results.csv, and two downloads taken at any two
moments differ by whole sessions. Answers are stored through surveys.services and the attendee's page; a
session's answers are released by closing its questionnaires more than the 30 minutes' grace ago, set on the
Survey itself (`release_at_close`).
"""

import csv
import datetime
import io
import re
import uuid
from collections import Counter
from html import unescape

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from surveys import services
from surveys.models import Phase, Response, Survey
from surveys.stats import paired_change
from tests.factories import SessionFactory, TwoFactorClient
from tests.surveys.conftest import STATEMENTS, scale_ids, submit

PAST_THE_GRACE = datetime.timedelta(minutes=31)  # forms still open on phones may be sent for 30 minutes
RESPONSES_HEADER = ["response_id", "pairing_id", "phase", "session", "statement", "statement_version", "value"]
WITHHELD = "fewer than 5"
TOO_FEW_PAIRS = "Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."
DAY = datetime.date(2026, 3, 12)

# Each pair's answers to the three statements before and after; "Don't know" (None) only to the third.
PAIRS = [([2, 4, 3], [4, 5, 2]), ([4, 4, None], [4, 2, 4]), ([1, 3, 5], [5, 3, 1]), ([5, 2, 4], [5, 4, None])]
ONLY_BEFORE = [1, 5, None]
ONLY_AFTER = [4, 1, 3]


def release_at_close(*surveys, field="closes_at"):
    """Close the surveys 31 minutes ago (their window's end, or "Close now" with field="closed_at")."""
    Survey.objects.filter(pk__in=[survey.pk for survey in surveys]).update(**{field: timezone.now() - PAST_THE_GRACE})


def answered_session(partnership, template, *, title, pairs=0, only_before=0, only_after=0, released=True):
    """A session whose questionnaires `pairs` people answered both, and others only before or only after."""
    session = SessionFactory(partnership=partnership, title=title, date=DAY)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for number in range(pairs):
        before, after = PAIRS[number % len(PAIRS)]
        submit(post, after, pairing_code=submit(pre, before).response.pairing_code)
    for _ in range(only_before):
        submit(pre, ONLY_BEFORE)
    for _ in range(only_after):
        submit(post, ONLY_AFTER)
    if released:
        release_at_close(pre, post)
    return session


def answer_on_phone(survey, values):
    """An attendee sends the questionnaire from their phone: no account, the public address."""
    data = {"submission_key": str(uuid.uuid4())}
    data |= {f"s{statement_id}": value for statement_id, value in zip(scale_ids(survey), values, strict=True)}
    return Client().post(f"/s/{survey.token}/", data)


def paper_data(survey, rows):
    """The paper entry page's form: `rows` are (code, [scale values as typed]) per paper form."""
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for number, (code, values) in enumerate(rows):
        data[f"form-{number}-submission_key"] = str(uuid.uuid4())
        data[f"form-{number}-pairing_code"] = code
        for statement_id, value in zip(scale_ids(survey), values, strict=True):
            data[f"form-{number}-s{statement_id}"] = value
    return data


# --- Reading what is shown ---


def body_of(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows_of(response):
    return list(csv.reader(io.StringIO(body_of(response).decode("utf-8"))))


def _text(fragment):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _main(response):
    html = body_of(response).decode()
    main = html[html.index("<main") : html.index("</main>")]
    caveats = main.find('class="result-caveats"')
    return main if caveats == -1 else main[:caveats]


def figures_shown(response):
    """Every figure of the page's main content (caveats aside): the text of its <dd> and <td> cells, in order."""
    return [_text(cell) for cell in re.findall(r"<(?:dd|td)[^>]*>(.*?)</(?:dd|td)>", _main(response), flags=re.S)]


def headlines(response):
    return [
        _text(body) for body in re.findall(r'<p class="result-(?:headline|too-few)">(.*?)</p>', _main(response), re.S)
    ]


def bars_drawn(response):
    """The answers charted: one segment per answer of a bar (the key's swatches aside)."""
    return _main(response).count('<rect class="answer-segment" x=')


def statement_counts(response):
    """[(statement, n_pre, n_post, n_paired)] of each statement's figures on a results page, as shown."""
    counts = []
    for section in re.findall(r'<section class="result-statement".*?</section>', _main(response), flags=re.S):
        heading = _text(re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1))
        paired = re.search(r"<dt>Answered both questionnaires \(paired\)</dt><dd>(.*?)</dd>", section)
        scale = re.search(r'<th scope="row">Answered on the scale</th><td>(.*?)</td><td>(.*?)</td>', section)
        if paired is None:  # nothing of the statement is shown
            counts.append((heading, None, None, None))
        else:
            counts.append((heading, _text(scale.group(1)), _text(scale.group(2)), _text(paired.group(1))))
    return counts


def side_by_side_counts(response):
    """[(partnership or "Scotland", n_pre, n_post, n_paired)] of the national page's tables, as shown."""
    counts = []
    for section in re.findall(r'<section class="result-side-by-side".*?</section>', _main(response), flags=re.S):
        for row in re.findall(r'<tr[^>]*>\s*<th scope="row">(.*?)</tr>', section, flags=re.S):
            name, *cells = [_text(cell) for cell in re.split(r"</th>|</td>", row)[:-1]]
            counts.append((name, cells[0], cells[2], cells[4]))
    return counts


def not_withheld(response, withheld=WITHHELD):
    """The figures shown that are not withheld."""
    return [value for value in figures_shown(response) if value != withheld]


# --- 1. A small session: nothing of it anywhere ---


@pytest.mark.parametrize("persona", ["viewer", "alliance", "lead"])
def test_debrief_of_three_pairs_shows_no_figure_of_them(as_persona, partnership, template, persona):
    session = answered_session(partnership, template, title="Irvine", pairs=3)
    client = as_persona(persona)

    response = client.get(f"/sessions/{session.pk}/results/")

    assert not_withheld(response) == ["0"]  # attended: nobody is marked on the register
    assert headlines(response) == [TOO_FEW_PAIRS] * 3
    assert bars_drawn(response) == 0


def test_results_csv_of_three_pairs_withholds_every_figure(client, viewer, partnership, template):
    session = answered_session(partnership, template, title="Irvine", pairs=3)
    client.force_login(viewer)

    rows = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))

    # n_pre to p_value withheld as on screen; relative_change_pct is blank unless shown.
    assert [row[2:16] for row in rows[1:]] == [[statement, "1", *[WITHHELD] * 11, ""] for statement in STATEMENTS]


def test_responses_csv_of_three_pairs_holds_no_answer(client, viewer, partnership, template):
    session = answered_session(partnership, template, title="Irvine", pairs=3)
    client.force_login(viewer)

    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert rows == [RESPONSES_HEADER]


@pytest.mark.parametrize("persona", ["viewer", "alliance", "lead"])
def test_session_of_one_respondent_shows_nothing_of_their_answers(as_persona, partnership, template, persona):
    session = answered_session(partnership, template, title="Irvine", pairs=1)
    client = as_persona(persona)

    debrief = client.get(f"/sessions/{session.pk}/results/")
    results = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))
    responses = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))
    pooled = rows_of(client.get(f"/results/partnerships/{partnership.pk}/responses.csv"))

    assert not_withheld(debrief) == ["0"]  # attended: nobody is marked on the register
    assert headlines(debrief) == [TOO_FEW_PAIRS] * 3
    assert bars_drawn(debrief) == 0
    assert [row[4:16] for row in results[1:]] == [[*[WITHHELD] * 11, ""]] * 3
    assert (responses, pooled) == ([RESPONSES_HEADER], [RESPONSES_HEADER])


def test_session_of_one_respondent_does_not_tell_their_dont_know(client, viewer, partnership, template):
    session = SessionFactory(partnership=partnership, title="Irvine", date=DAY)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    submit(post, [4, 4, 3], pairing_code=submit(pre, [2, 4, None]).response.pairing_code)
    release_at_close(pre, post)
    client.force_login(viewer)

    response = client.get(f"/sessions/{session.pk}/results/")

    # Shown as it stands: the third statement says 0 pairs, "nobody has answered both questionnaires yet",
    # beside "fewer than 5" pairs in the summary: that one person answered Don't know to it, before or after.
    assert headlines(response) == [TOO_FEW_PAIRS] * 3
    assert not_withheld(response) == ["0"]


# --- 2 and 3. Totals add up, and responses.csv reproduces results.csv ---


@pytest.fixture
def history(partnership, other_partnership, template):
    """Released sessions of two partnerships, some where 1-4 people answered only one questionnaire.

    Returns {session as named in responses.csv: its partnership's name}.
    """
    sessions = [
        # Pairs count; 2 answered only before: "before" counts the pairs' own answers alone.
        (partnership, "Kilwinning", {"pairs": 20, "only_before": 2}),
        # Pairs count; 3 answered only after: "after" counts the pairs' own answers alone.
        (partnership, "Irvine", {"pairs": 6, "only_after": 3}),
        (partnership, "Largs", {"pairs": 5, "only_before": 5, "only_after": 5}),
        # 3 pairs, left out; 7 answered before: all count.
        (partnership, "Saltcoats", {"pairs": 3, "only_before": 4}),
        (partnership, "Dalry", {"only_before": 2}),
        (partnership, "Beith", {"pairs": 8}),
        (other_partnership, "Torry", {"pairs": 7, "only_before": 1, "only_after": 1}),
        (other_partnership, "Dyce", {"pairs": 4}),
    ]
    for owner, title, answers in sessions:
        answered_session(owner, template, title=title, **answers)
    return {f"{title} ({DAY:%-d %b %Y})": owner.name for owner, title, _ in sessions}


def _counts(row):
    """(scope, name, statement, n_pre, n_post, n_paired) of a results.csv row."""
    return (row[0], row[1], row[2], row[4], row[5], row[6])


def _outnumbered(counts):
    """The counts, of (..., n_pre, n_post, n_paired), where the pairs outnumber the answers before or after, or where
    a count is not a number (pooled scopes withhold nothing: they leave groups out)."""

    def fine(n_pre, n_post, n_paired):
        if n_pre is None:  # nothing of the statement shown
            return True
        numbers = n_pre.isdigit() and n_post.isdigit() and n_paired.isdigit()
        return numbers and int(n_paired) <= min(int(n_pre), int(n_post))

    return [count for count in counts if not fine(*count[-3:])]


def test_totals_add_up_and_pairs_never_outnumber_answers(client, alliance, partnership, history):
    client.force_login(alliance)

    national_csv = [_counts(row) for row in rows_of(client.get("/results/national/results.csv"))[1:]]
    partnership_csv = [
        _counts(row) for row in rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv"))[1:]
    ]
    national_page = client.get("/results/national/")
    partnership_page = client.get(f"/results/partnerships/{partnership.pk}/")

    assert _outnumbered(national_csv + partnership_csv) == []
    assert _outnumbered(statement_counts(national_page) + side_by_side_counts(national_page)) == []
    assert _outnumbered(statement_counts(partnership_page)) == []
    scotland = {row[2]: tuple(map(int, row[3:])) for row in national_csv if row[0] == "national"}
    summed = Counter()
    for row in national_csv:
        if row[0] == "partnership":
            summed[row[2], "n_pre"] += int(row[3])
            summed[row[2], "n_post"] += int(row[4])
            summed[row[2], "n_paired"] += int(row[5])
    assert scotland == {
        statement: (summed[statement, "n_pre"], summed[statement, "n_post"], summed[statement, "n_paired"])
        for statement in STATEMENTS
    }
    # Statement 1 (no Don't know), North Ayrshire: before Kilwinning's 20 pairs, Irvine 6, Largs 10, Saltcoats 7,
    # Beith 8; after 20, 6 (Irvine's pairs), 10, 8; pairs 20, 6, 5, 8. Aberdeen: Torry's 7 pairs alone.
    assert [row for row in national_csv if row[2] == STATEMENTS[0]] == [
        ("national", "Scotland", STATEMENTS[0], "58", "51", "46"),
        ("partnership", "Aberdeen City HSCP", STATEMENTS[0], "7", "7", "7"),
        ("partnership", "North Ayrshire HSCP", STATEMENTS[0], "51", "44", "39"),
    ]
    # Each screen shows what its results.csv says.
    assert [row[2:] for row in partnership_csv] == statement_counts(partnership_page)


def _agreeing(values):
    return f"{100 * sum(1 for value in values if value >= 4) / len(values):.1f}" if values else ""


def _number(value):
    return "" if value is None else f"{value:.1f}"


def recomputed(row, answers, sessions=None):
    """The results.csv row (up to relative_change_pct), worked out again from responses.csv rows alone.

    n_pre and n_post: answers on the scale; the pairs: pairing ids with an answer on the scale before and after.
    `sessions`: only the answers of these sessions (a partnership's row in the national file).
    """
    mine = [
        answer
        for answer in answers
        if (answer[4], answer[5]) == (row[2], row[3]) and (sessions is None or answer[3] in sessions)
    ]
    values = {phase: [int(answer[6]) for answer in mine if answer[2] == phase and answer[6]] for phase in Phase}
    pairs = {}
    for _response, pairing, phase, _session, _statement, _version, value in mine:
        if pairing and value:
            pairs.setdefault(pairing, {})[phase] = int(value) >= 4
    agreed = Counter((pair[Phase.PRE], pair[Phase.POST]) for pair in pairs.values() if len(pair) == 2)
    change = paired_change(
        both=agreed[True, True],
        improved=agreed[False, True],
        worsened=agreed[True, False],
        neither=agreed[False, False],
    )
    n_paired = sum(agreed.values())
    # A relative change is shown only with 10 pairs or more, of whom 5 or more agreed before.
    relative_shown = n_paired >= 10 and agreed[True, True] + agreed[True, False] >= 5
    return [
        *row[:4],
        str(len(values[Phase.PRE])),
        str(len(values[Phase.POST])),
        str(n_paired),
        _agreeing(values[Phase.PRE]),
        _agreeing(values[Phase.POST]),
        _number(change and change.pct_pre),
        _number(change and change.pct_post),
        _number(change and change.change_pp),
        _number(change and change.ci_low_pp),
        _number(change and change.ci_high_pp),
        "" if change is None else f"{change.p_value:.4g}",
        _number(change.relative_change_pct if relative_shown else None),
    ]


def pairing_ids_join(answers):
    """What each pairing id joins, per statement: {((phase, on the scale), ...)}, one tuple per kind of join."""
    joined = {}
    for _response, pairing, phase, _session, statement, version, value in answers:
        if pairing:
            joined.setdefault((pairing, statement, version), []).append((phase, bool(value)))
    return {tuple(sorted(rows)) for rows in joined.values()}


# Each pairing id is on two answers, one after and one before, both on the scale.
ONE_PAIR = {(("post", True), ("pre", True))}


def test_partnership_responses_csv_reproduces_its_results_csv(client, lead, partnership, history):
    client.force_login(lead)

    results = rows_of(client.get(f"/results/partnerships/{partnership.pk}/results.csv"))[1:]
    answers = rows_of(client.get(f"/results/partnerships/{partnership.pk}/responses.csv"))[1:]

    assert [row[:16] for row in results] == [recomputed(row, answers) for row in results]
    assert len(results) == 3
    assert pairing_ids_join(answers) == ONE_PAIR


def test_national_responses_csv_reproduces_its_results_csv(client, alliance, history):
    client.force_login(alliance)

    results = rows_of(client.get("/results/national/results.csv"))[1:]
    answers = rows_of(client.get("/results/national/responses.csv"))[1:]

    def sessions_of(row):
        if row[0] == "national":
            return None
        return {session for session, partnership in history.items() if partnership == row[1]}

    assert [row[:16] for row in results] == [recomputed(row, answers, sessions_of(row)) for row in results]
    assert [row[1] for row in results] == ["Scotland"] * 3 + ["Aberdeen City HSCP", "North Ayrshire HSCP"] * 3
    assert pairing_ids_join(answers) == ONE_PAIR


# --- 4. Over time: an answer changes no download until its session is released, and then never again ---


def test_an_answer_to_an_open_questionnaire_changes_no_download(client, lead, alliance, partnership, template):
    answered_session(partnership, template, title="Beith", pairs=8)
    open_session = answered_session(partnership, template, title="Irvine", pairs=6, released=False)
    open_pre = open_session.surveys.get(phase=Phase.PRE)
    staff = TwoFactorClient()
    staff.force_login(alliance)
    client.force_login(lead)
    mine = [
        f"/results/partnerships/{partnership.pk}/results.csv",
        f"/results/partnerships/{partnership.pk}/responses.csv",
        f"/sessions/{open_session.pk}/results.csv",
        f"/sessions/{open_session.pk}/responses.csv",
    ]
    national = ["/results/national/results.csv", "/results/national/responses.csv"]

    def downloads():
        return [body_of(client.get(url)) for url in mine] + [body_of(staff.get(url)) for url in national]

    before = downloads()
    answer_on_phone(open_pre, ["5", "5", "5"])
    after = downloads()
    release_at_close(*open_session.surveys.all())
    released = rows_of(client.get(f"/sessions/{open_session.pk}/results.csv"))

    assert Response.objects.filter(survey=open_pre).count() == 7
    assert after == before
    # Released, the session counts, by the rule: 1 answered only before (the phone), so statements 1 and 2 count
    # the 6 pairs' answers alone; statement 3 had 4 answers before on the scale, 5 with the phone's.
    assert [row[4:7] for row in released[1:]] == [["6", "6", "6"], ["6", "6", "6"], ["5", "5", WITHHELD]]


def test_open_session_is_live_for_its_lead_and_withheld_from_everyone_else(client, lead, viewer, alliance, pre_survey):
    session = pre_survey.session
    for _ in range(4):
        submit(pre_survey, [4, 2, 3])
    client.force_login(lead)

    four = client.get(f"/sessions/{session.pk}/results/")
    submit(pre_survey, [4, 2, 3])
    five = client.get(f"/sessions/{session.pk}/results/")
    downloads = [rows_of(client.get(f"/sessions/{session.pk}/{name}")) for name in ("results.csv", "responses.csv")]
    others = []
    for user in (viewer, alliance):
        other = TwoFactorClient()
        other.force_login(user)
        others.append(other.get(f"/sessions/{session.pk}/results/"))

    # Four answers before: nothing of them but "fewer than 5"; no answer after, nobody paired, no register.
    assert [value for value in figures_shown(four) if value not in {WITHHELD, "0", "none"}] == []
    assert statement_counts(four) == [(statement, None, None, None) for statement in STATEMENTS]
    assert statement_counts(five) == [(statement, "5", "0", "0") for statement in STATEMENTS]
    assert "Live figures, for the session’s lead and facilitators only" in _text(_main(five))
    assert [(figures_shown(page), bars_drawn(page)) for page in others] == [([], 0), ([], 0)]
    assert [
        "Results appear here once the session’s questionnaires have closed" in _text(_main(page)) for page in others
    ] == [True, True]
    assert [rows[1:] for rows in downloads] == [[], []]


# --- 5. After release nothing can be added ---


def test_released_questionnaire_refuses_paper_forms_and_reopening(client, lead, partnership, template):
    session = answered_session(partnership, template, title="Irvine", pairs=5)
    pre, post = session.surveys.get(phase=Phase.PRE), session.surveys.get(phase=Phase.POST)
    windows = list(Survey.objects.order_by("pk").values_list("closes_at", "closed_at"))
    client.force_login(lead)

    paper = client.post(f"/surveys/{post.pk}/paper/", paper_data(post, [("", ["4", "4", "4"])]), follow=True)
    client.post(f"/surveys/{pre.pk}/reopen/")

    assert Response.objects.filter(survey__session=session).count() == 10
    assert list(Survey.objects.order_by("pk").values_list("closes_at", "closed_at")) == windows
    assert [survey.state() for survey in Survey.objects.order_by("pk")] == ["closed", "closed"]
    assert "its answers went into the results, so it takes no more answers" in _text(paper.content.decode())


def test_closing_a_released_questionnaire_again_lets_no_answer_in(client, lead, partnership, template):
    session = answered_session(partnership, template, title="Irvine", pairs=6, only_after=5, released=False)
    pre, post = session.surveys.get(phase=Phase.PRE), session.surveys.get(phase=Phase.POST)
    release_at_close(pre, post, field="closed_at")  # "Close now", more than 30 minutes ago
    client.force_login(lead)
    before = body_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    client.post(f"/surveys/{post.pk}/close/")  # "Close now" pressed again
    client.post(f"/surveys/{post.pk}/paper/", paper_data(post, [("", ["1", "1", "1"])]))
    Survey.objects.filter(pk=post.pk).update(closed_at=F("closed_at") - PAST_THE_GRACE)  # half an hour later
    after = body_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert after == before
    assert Response.objects.filter(survey__session=session).count() == 17


# --- Linking: no order ties one download to another ---


def test_written_answers_cannot_be_lined_up_with_responses_csv(client, viewer, post_survey):
    session = post_survey.session
    question = post_survey.items.get(statement__kind="text").statement_id
    # Attendee k answers (1 + k % 5, 1 + k // 5, 3) and writes "Attendee k": each tells who they are.
    for attendee in range(8):
        values = [1 + attendee % 5, 1 + attendee // 5, 3]
        answers = dict(zip(scale_ids(post_survey), values, strict=True)) | {question: f"Attendee {attendee}"}
        services.response_submit(survey=post_survey, submission_key=uuid.uuid4(), answers=answers)
    release_at_close(post_survey)
    client.force_login(viewer)

    written = re.findall(r"Attendee (\d)", _text(_main(client.get(f"/sessions/{session.pk}/results/"))))
    rows = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))[1:]

    first_answers = [int(row[6]) for row in rows if row[4] == STATEMENTS[0]]
    second_answers = [int(row[6]) for row in rows if row[4] == STATEMENTS[1]]
    lined_up = [
        (1 + int(attendee) % 5, 1 + int(attendee) // 5) == (first, second)
        for attendee, first, second in zip(written, first_answers, second_answers, strict=True)
    ]
    assert sorted(written) == [str(attendee) for attendee in range(8)]
    assert not all(lined_up)


# --- 6. Another threshold ---


def test_threshold_of_ten_withholds_a_session_of_seven(client, viewer, partnership, template, settings):
    settings.SMALL_NUMBER_THRESHOLD = 10
    session = answered_session(partnership, template, title="Irvine", pairs=7)
    client.force_login(viewer)

    debrief = client.get(f"/sessions/{session.pk}/results/")
    results = rows_of(client.get(f"/sessions/{session.pk}/results.csv"))
    responses = rows_of(client.get(f"/sessions/{session.pk}/responses.csv"))

    assert not_withheld(debrief, "fewer than 10") == ["0"]
    assert (
        headlines(debrief)
        == ["Too few responses to draw conclusions: fewer than 10 people answered both questionnaires."] * 3
    )
    assert bars_drawn(debrief) == 0
    assert [row[4:16] for row in results[1:]] == [[*["fewer than 10"] * 11, ""]] * 3
    assert responses == [RESPONSES_HEADER]
