"""Results screens: the session's debrief, a partnership's results, the national results, and the way to them."""

import datetime
import io
import re
import uuid
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import demo, services
from surveys.models import Phase
from tests.factories import (
    AttendanceFactory,
    LocalityFactory,
    MembershipFactory,
    PartnershipFactory,
    ProgrammeFactory,
    SessionFactory,
    UserFactory,
)
from tests.surveys.conftest import STATEMENTS, release, scale_ids, submit
from tests.surveys.test_exports import rows_of


def text_of(response):
    """The page's main content as plain text (tags and charts dropped, spaces squeezed)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def headlines(response):
    """Every statement's headline, or why there is none (one CSS class for both)."""
    html = response.content.decode()
    found = re.findall(r'<p class="result-headline">(.*?)</p>', html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", body)).strip() for body in found]


def answer_pairs(pre_survey, post_survey, pairs, *, before=(2, 2, 2), after=(4, 4, 4)):
    for _ in range(pairs):
        pre = submit(pre_survey, list(before)).response
        submit(post_survey, list(after), pairing_code=pre.pairing_code)


def _session(partnership, template, *, pairs, date=datetime.date(2026, 3, 12), title=None, **fields):
    session = SessionFactory(partnership=partnership, date=date, **({"title": title} if title else {}), **fields)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    answer_pairs(pre, post, pairs)
    release(pre, post)
    return session


# --- The session's debrief ---


def test_session_results_show_headlines_figures_and_written_answers(client, facilitator, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 12)
    text_id = post_survey.items.get(statement__kind="text").statement_id
    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers=dict(zip(scale_ids(post_survey), [4, 4, 4], strict=True)) | {text_id: "Invite the <Trust> along."},
    )
    for _ in range(10):
        AttendanceFactory(session=pre_survey.session, status="attended")
    client.force_login(facilitator)

    response = client.get(f"/sessions/{pre_survey.session_id}/results/")

    text = text_of(response)
    html = response.content.decode()
    assert headlines(response) == [
        "Among the 12 people who answered both questionnaires, the share agreeing they have a sound understanding of "
        "the work undertaken by AHPs and third sector organisations rose from 0% to 100% (+100 points, 95% CI +66 to "
        "+100).",
        "Among the 12 people who answered both questionnaires, the share agreeing they are aware of local and "
        "national resources to support health and wellbeing rose from 0% to 100% (+100 points, 95% CI +66 to +100).",
        "Among the 12 people who answered both questionnaires, the share agreeing they feel confident using a "
        "self-management approach in their work rose from 0% to 100% (+100 points, 95% CI +66 to +100).",
    ]
    # Live, for the room's facilitator: the questionnaires are still open, so no downloads yet.
    assert "Live figures, for the session’s lead and facilitators only, while its questionnaires are open." in text
    assert 'class="result-downloads' not in html
    assert "Answered before 12 Answered after 13 Answered both (paired) 12 Attended (register) 10" in text
    # 12 and 13 answered, 10 marked as attended: no impossible "120%", and why not.
    assert (
        "Response rate among those marked as attended: before no rate (more answered than marked attended), "
        "after no rate (more answered than marked attended). The register looks incomplete" in text
    )
    assert "120%" not in text
    assert "What will you do differently? Invite the <Trust> along." in text
    assert "Invite the &lt;Trust&gt; along." in html
    # The one person who answered only after is fewer than 5: "after" counts the 12 pairs' own answers.
    assert "Strongly disagree 0 (0%) 0 (0%) Disagree 12 (100%) 0 (0%)" in text
    assert "Answered on the scale 12 12" in text
    assert (
        text.count(
            "Fewer than 5 people answered only after: to protect them, “after” counts only the 12 people who answered "
            "both."
        )
        == 3
    )


def test_session_results_warn_instead_of_headline_below_ten_paired(client, viewer, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 6)
    release(pre_survey, post_survey)
    client.force_login(viewer)

    response = client.get(f"/sessions/{pre_survey.session_id}/results/")

    too_few = "Too few responses to draw conclusions: only 6 people answered both questionnaires"
    assert headlines(response) == [f"{too_few} (at least 10 are needed)."] * 3
    assert text_of(response).count("Answered both questionnaires (paired) 6 ") == 3


def test_session_results_withhold_groups_of_fewer_than_five_from_everyone(client, lead, pre_survey, post_survey):
    """The room's own debrief follows the same rule as every other screen: 3 pairs are not shown, even live."""
    answer_pairs(pre_survey, post_survey, 3)
    client.force_login(lead)

    live = client.get(f"/sessions/{pre_survey.session_id}/results/")
    release(pre_survey, post_survey)
    released = client.get(f"/sessions/{pre_survey.session_id}/results/")

    for response in (live, released):
        text = text_of(response)
        assert (
            headlines(response)
            == ["Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."] * 3
        )
        assert "Answered before fewer than 5 Answered after fewer than 5 Answered both (paired) fewer than 5" in text
        assert text.count("Fewer than 5 people answered: to protect them, none of their answers is shown.") == 3
        assert "Answered both questionnaires (paired) 3" not in text
    assert "Live figures" in text_of(live)
    assert "Live figures" not in text_of(released)


def test_session_results_wait_for_release_for_viewers_and_alliance_staff(
    client, viewer, alliance, pre_survey, post_survey
):
    answer_pairs(pre_survey, post_survey, 12)
    text_id = post_survey.items.get(statement__kind="text").statement_id
    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers=dict(zip(scale_ids(post_survey), [4, 4, 4], strict=True)) | {text_id: "Call the Trust."},
    )
    services.survey_close(survey=pre_survey)
    services.survey_close(survey=post_survey)  # closed, but forms still open on phones may come in
    url = f"/sessions/{pre_survey.session_id}/results/"

    waiting = []
    for user in (viewer, alliance):
        client.force_login(user)
        waiting.append(client.get(url))
    release(pre_survey, post_survey)
    shown = client.get(url)  # ALLIANCE staff, once released

    for response in waiting:
        assert headlines(response) == []
        assert (
            "Results appear here once the session’s questionnaires have closed, and 30 minutes have passed for forms "
            "still open on phones. Until then only the session’s lead and facilitators see them, live in the room."
        ) in text_of(response)
        assert "Answered before" not in text_of(response)
        assert "Call the Trust." not in text_of(response)
        assert 'class="result-downloads' not in response.content.decode()
    assert [headline[:53] for headline in headlines(shown)] == [
        "Among the 12 people who answered both questionnaires,"
    ] * 3
    assert "Live figures" not in text_of(shown)
    assert "What will you do differently? Call the Trust." in text_of(shown)


def test_session_results_without_questionnaire_say_so(client, lead, session):
    client.force_login(lead)

    response = client.get(f"/sessions/{session.pk}/results/")

    assert "This session has no questionnaire yet." in text_of(response)


def test_session_results_offer_both_downloads_side_by_side_once_released(client, lead, pre_survey):
    client.force_login(lead)
    url = f"/sessions/{pre_survey.session_id}/results/"

    before = client.get(url).content.decode()
    release(pre_survey)
    html = client.get(url).content.decode()

    assert 'class="result-downloads' not in before
    downloads = html[html.index('class="result-downloads') :]
    assert re.findall(r'href="([^"]+)" download', downloads)[:3] == [
        f"/sessions/{pre_survey.session_id}/results.csv",
        f"/sessions/{pre_survey.session_id}/results.ods",
        f"/sessions/{pre_survey.session_id}/responses.csv",
    ]


def test_session_questionnaires_page_links_to_the_debrief(client, lead, pre_survey):
    client.force_login(lead)

    html = client.get(f"/sessions/{pre_survey.session_id}/questionnaires/").content.decode()

    assert f'<a href="/sessions/{pre_survey.session_id}/results/">See the results' in html


@pytest.mark.parametrize("responses", [1, 3])
def test_session_results_queries_do_not_grow(
    client, lead, pre_survey, post_survey, responses, django_assert_num_queries
):
    # 5 or 15 pairs: enough that every figure and the written answers are shown.
    answer_pairs(pre_survey, post_survey, 5 * responses)
    client.force_login(lead)

    # sign-in session, user and second factor; the session; the role (to see it, then to see it live); released?;
    # has a questionnaire; figures, their statements and positions; responses and attended; written answers (their
    # counts, then the answers)
    with django_assert_num_queries(15):
        client.get(f"/sessions/{pre_survey.session_id}/results/")


@pytest.mark.parametrize("responses", [1, 3])
def test_released_session_results_queries_do_not_grow(
    client, viewer, pre_survey, post_survey, responses, django_assert_num_queries
):
    answer_pairs(pre_survey, post_survey, 5 * responses)
    release(pre_survey, post_survey)
    client.force_login(viewer)

    with django_assert_num_queries(15):
        client.get(f"/sessions/{pre_survey.session_id}/results/")


def test_demo_debrief_shows_the_source_kind_of_change(client, partnership, lead):
    SessionFactory(partnership=partnership, title=demo.SESSION_TITLE, date=datetime.date(2018, 1, 24))
    demo.seed(password="x", stdout=io.StringIO())
    session = partnership.sessions.get(title=demo.SESSION_TITLE)
    client.force_login(lead)

    found = headlines(client.get(f"/sessions/{session.pk}/results/"))

    assert [re.sub(r"\(\+\d+ points.*", "", body) for body in found[:3]] == [
        "Among the 34 people who answered both questionnaires, the share agreeing they have a sound understanding "
        "of the work undertaken by AHPs and third sector organisations within their partnership rose from 29% to "
        "79% ",
        "Among the 34 people who answered both questionnaires, the share agreeing they are aware of local and "
        "national resources to support health and wellbeing rose from 35% to 79% ",
        "Among the 34 people who answered both questionnaires, the share agreeing they feel confident using a "
        "self-management approach in their work rose from 44% to 74% ",
    ]
    assert [re.search(r"\((\+\d+) points", body).group(1) for body in found[:3]] == ["+50", "+44", "+29"]


# --- A partnership's results ---


def test_partnership_results_pool_sessions_with_a_session_table(client, viewer, partnership, template):
    first = _session(partnership, template, pairs=12, date=datetime.date(2026, 1, 10), title="Irvine")
    second = _session(partnership, template, pairs=20, date=datetime.date(2026, 4, 10), title="Largs")
    for _ in range(24):
        AttendanceFactory(session=first, status="attended")
    client.force_login(viewer)

    response = client.get(f"/results/partnerships/{partnership.pk}/")

    text = text_of(response)
    assert [body[:60] for body in headlines(response)] == [
        "Among the 32 people who answered both questionnaires, the sh"
    ] * 3
    assert "Sessions 2 Responses before 32 Responses after 32 Responses paired 32" in text
    assert "Largs 10 Apr 2026 0 20 no register 20 no register 20 100%" in text
    assert "Irvine 10 Jan 2026 24 12 50% 12 50% 12 100%" in text
    # The total's response rates are Irvine's alone: Largs has no register to divide by.
    assert "All sessions 24 32 50% 32 50% 32 100%" in text
    assert "1 session with no register: the total response rates leave it out." in text
    assert "2026 Q1 12 0% 100% +100 points" in text
    assert "2026 Q2 20 0% 100% +100 points" in text
    assert f'href="/sessions/{second.pk}/results/"' in response.content.decode()


def test_partnership_results_withhold_small_sessions_and_leave_them_out(client, lead, partnership, template):
    _session(partnership, template, pairs=3, date=datetime.date(2026, 3, 3), title="Small")
    _session(partnership, template, pairs=12, date=datetime.date(2026, 3, 2), title="Middle")
    _session(partnership, template, pairs=20, date=datetime.date(2026, 3, 1), title="Large")
    client.force_login(lead)

    text = text_of(client.get(f"/results/partnerships/{partnership.pk}/"))

    assert "Small 3 Mar 2026 0 fewer than 5 no register fewer than 5 no register fewer than 5 fewer than 5" in text
    assert "Middle 2 Mar 2026 0 12 no register 12 no register 12 100%" in text
    assert "Large 1 Mar 2026 0 20 no register 20 no register 20 100%" in text
    assert "All sessions 0 32 32 32 100%" in text
    assert "3 sessions with no register: the total response rates leave them out." in text
    assert (
        "Sessions 3 Responses before 32 Responses after 32 Responses paired 32 These totals leave out figures of "
        "fewer than 5 from 1 session (shown as “fewer than 5” in the sessions table)." in text
    )
    assert (
        "The “All sessions” row adds up the figures shown: it leaves out the figures of fewer than 5 of 1 session."
        in text
    )
    assert (
        text.count(
            "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from 1 "
            "session, pairs from 1 session."
        )
        == 3
    )


def test_partnership_results_count_released_sessions_only(client, lead, partnership, template):
    _session(partnership, template, pairs=12, title="Irvine")
    session = SessionFactory(partnership=partnership, title="Largs")
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    answer_pairs(pre, post, 20)
    services.survey_close(survey=pre)  # the questionnaire after the session is still open
    client.force_login(lead)

    text = text_of(client.get(f"/results/partnerships/{partnership.pk}/"))

    assert (
        "1 session with a questionnaire still open (or closed less than 30 minutes ago) is not counted yet. "
        "Sessions 1 Responses before 12 Responses after 12 Responses paired 12"
    ) in text
    assert "Largs" not in text


def test_partnership_results_filter_by_date(client, lead, partnership, template):
    _session(partnership, template, pairs=12, date=datetime.date(2025, 6, 1), title="Old")
    _session(partnership, template, pairs=20, date=datetime.date(2026, 4, 10), title="New")
    client.force_login(lead)

    response = client.get(f"/results/partnerships/{partnership.pk}/", {"date_from": "2026-01-01"})

    text = text_of(response)
    assert "sessions from 1 January 2026" in text
    assert "Sessions 1 Responses before 20" in text
    assert "Old 1 Jun 2025" not in text
    assert re.findall(r'href="([^"]+)" download', response.content.decode())[:3] == [
        f"/results/partnerships/{partnership.pk}/results.csv?date_from=2026-01-01",
        f"/results/partnerships/{partnership.pk}/results.ods?date_from=2026-01-01",
        f"/results/partnerships/{partnership.pk}/responses.csv?date_from=2026-01-01",
    ]


def test_partnership_results_invalid_filters_show_errors_and_no_figures(client, lead, partnership, template):
    _session(partnership, template, pairs=12)
    client.force_login(lead)

    response = client.get(
        f"/results/partnerships/{partnership.pk}/", {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )

    text = text_of(response)
    assert "The end of the date range must not be before its start." in text
    assert "Check the filters above: no figures are shown until they are valid." in text
    assert headlines(response) == []


@pytest.mark.parametrize("sessions", [1, 3])
def test_partnership_results_queries_do_not_grow(
    client, lead, partnership, template, sessions, django_assert_num_queries
):
    for number in range(sessions):
        _session(partnership, template, pairs=6, date=datetime.date(2026, 1 + number, 5))
    client.force_login(lead)

    # sign-in session, user and second factor; the partnership; the role (to see it, then to share it); sessions
    # table; figures by quarter and their statements; sessions not released yet; the filter's programmes and localities
    with django_assert_num_queries(12):
        client.get(f"/results/partnerships/{partnership.pk}/")


# --- National results ---


def test_national_results_side_by_side(client, alliance, template):
    _session(PartnershipFactory(name="Aberdeen City HSCP"), template, pairs=3)
    _session(PartnershipFactory(name="Glasgow City HSCP"), template, pairs=12)
    _session(PartnershipFactory(name="North Ayrshire HSCP"), template, pairs=30)
    client.force_login(alliance)

    response = client.get("/results/national/")

    text = text_of(response)
    assert "3 partnerships with answers." in text
    assert [body[:58] for body in headlines(response)] == [
        "Among the 42 people who answered both questionnaires, the "
    ] * 3
    # Aberdeen's one session had 3 people: counted nowhere, and Scotland says so.
    assert text.count("Aberdeen City HSCP 0 none 0 none 0 none none") == 3
    assert (
        text.count(
            "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from 1 "
            "session, pairs from 1 session."
        )
        == 3
    )
    assert text.count("Glasgow City HSCP 12 0% 12 100% 12 +100 points") == 3
    assert text.count("North Ayrshire HSCP 30 0% 30 100% 30 +100 points") == 3
    assert text.count("Scotland 42 0% 42 100% 42 +100 points") == 3


@pytest.fixture
def national_sessions(partnership, other_partnership, template):
    """Sessions of two partnerships told apart by their number of pairs; (locality, programme) to filter on."""
    locality = LocalityFactory(partnership=partnership, name="Irvine")
    programme = ProgrammeFactory(partnership=other_partnership, title="Co-production Star")
    _session(partnership, template, pairs=5, date=datetime.date(2025, 6, 1), title="Saltcoats")
    _session(partnership, template, pairs=6, date=datetime.date(2026, 2, 1), title="Irvine", locality=locality)
    _session(other_partnership, template, pairs=7, date=datetime.date(2026, 3, 1), title="Torry", programme=programme)
    _session(other_partnership, template, pairs=8, date=datetime.date(2026, 5, 1), title="Dyce", kind="lab")
    return locality, programme


NATIONAL_FILTERS = [
    ({}, 26, ["Dyce", "Irvine", "Saltcoats", "Torry"]),
    ({"date_from": "2026-01-01"}, 21, ["Dyce", "Irvine", "Torry"]),
    ({"date_from": "2026-01-01", "date_to": "2026-03-31"}, 13, ["Irvine", "Torry"]),
    ({"date_to": "2025-12-31"}, 5, ["Saltcoats"]),
    ({"kind": "lab"}, 8, ["Dyce"]),
    ({"programme": "programme"}, 7, ["Torry"]),
    ({"locality": "locality"}, 6, ["Irvine"]),
]


def _query(filters, locality, programme):
    return {
        name: {"locality": locality.pk, "programme": programme.pk}.get(value, value) for name, value in filters.items()
    }


@pytest.mark.parametrize(("filters", "paired", "titles"), NATIONAL_FILTERS)
def test_national_results_and_exports_follow_the_filters(client, alliance, national_sessions, filters, paired, titles):
    query = _query(filters, *national_sessions)
    client.force_login(alliance)

    text = text_of(client.get("/results/national/", query))
    results_rows = rows_of(client.get("/results/national/results.csv", query))
    responses_rows = rows_of(client.get("/results/national/responses.csv", query))

    assert text.count(f"Scotland {paired} 0% {paired} 100% {paired} +100 points") == 3
    assert [row[:7] for row in results_rows[1:4]] == [
        ["national", "Scotland", statement, "1", str(paired), str(paired), str(paired)] for statement in STATEMENTS
    ]
    assert sorted({row[3].split(" (")[0] for row in responses_rows[1:]}) == titles
    assert len(responses_rows) == 1 + paired * 2 * 3


@pytest.mark.parametrize("screen", ["/results/national/", "/results/partnerships/{partnership}/"])
def test_results_downloads_carry_the_filters(client, alliance, partnership, national_sessions, screen):
    locality, _programme = national_sessions
    url = screen.format(partnership=partnership.pk)
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30", "kind": "exploring", "locality": locality.pk}
    client.force_login(alliance)

    html = client.get(url, query).content.decode()

    encoded = f"date_from=2026-01-01&date_to=2026-06-30&kind=exploring&locality={locality.pk}"
    assert [unescape(href) for href in re.findall(r'href="([^"]+)" download', html)[:3]] == [
        f"{url}results.csv?{encoded}",
        f"{url}results.ods?{encoded}",
        f"{url}responses.csv?{encoded}",
    ]


@pytest.mark.parametrize("partnerships", [1, 3])
def test_national_results_queries_do_not_grow(client, alliance, template, partnerships, django_assert_num_queries):
    for _ in range(partnerships):
        _session(PartnershipFactory(), template, pairs=6)
    client.force_login(alliance)

    # sign-in session, user and second factor; figures by partnership, their statements and partnerships' names;
    # sessions not released yet; the filter's programmes and localities
    with django_assert_num_queries(9):
        client.get("/results/national/")


# --- The way to results ---


def test_results_link_in_the_nav(client, viewer):
    client.force_login(viewer)

    html = client.get("/").content.decode()

    assert '<a href="/results/">Results</a>' in html


def test_results_home_leads_to_the_right_results(client, partnership, viewer, alliance):
    member_of_two = UserFactory()
    MembershipFactory(user=member_of_two, partnership=partnership)
    MembershipFactory(user=member_of_two, partnership=PartnershipFactory(name="Angus HSCP"))
    nobody = UserFactory()

    client.force_login(alliance)
    as_alliance = client.get("/results/")
    client.force_login(viewer)
    as_viewer = client.get("/results/")
    client.force_login(member_of_two)
    as_member_of_two = text_of(client.get("/results/"))
    client.force_login(nobody)
    as_nobody = text_of(client.get("/results/"))

    assert as_alliance.url == "/results/national/"
    assert as_viewer.url == f"/results/partnerships/{partnership.pk}/"
    assert "Choose a partnership to see what its sessions changed. Angus HSCP North Ayrshire HSCP" in as_member_of_two
    assert "You are not a member of any partnership yet" in as_nobody


def test_statements_in_results_keep_their_wording(client, lead, partnership, template):
    _session(partnership, template, pairs=12)
    client.force_login(lead)

    html = client.get(f"/results/partnerships/{partnership.pk}/").content.decode()

    assert re.findall(r'<h2 id="p-\d+-heading" class="result-statement-heading">([^<]+)</h2>', html) == STATEMENTS


def _queries(client, url):
    """The queries of one GET of `url`, streamed content included."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


RESULT_URLS = [
    "/sessions/{session}/results/",
    "/sessions/{session}/results.csv",
    "/sessions/{session}/responses.csv",
    "/results/partnerships/{partnership}/",
    "/results/partnerships/{partnership}/results.csv",
    "/results/partnerships/{partnership}/responses.csv",
    "/results/national/",
    "/results/national/results.csv",
    "/results/national/responses.csv",
]


@pytest.mark.parametrize("url", RESULT_URLS)
def test_results_screens_and_exports_queries_do_not_grow_with_sessions_or_partnerships(client, alliance, template, url):
    """1 partnership with 1 session, then 3 partnerships with 3 sessions each: the same number of queries."""
    first = PartnershipFactory()
    session = _session(first, template, pairs=6)
    client.force_login(alliance)
    target = url.format(session=session.pk, partnership=first.pk)
    one = _queries(client, target)

    for number in range(2):
        _session(first, template, pairs=6, date=datetime.date(2026, 4 + number, 1))
        other = PartnershipFactory()
        for month in (1, 5, 9):
            _session(other, template, pairs=6, date=datetime.date(2025, month, 1))
    three = _queries(client, target)

    assert one == three != 0
