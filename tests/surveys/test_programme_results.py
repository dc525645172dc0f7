"""A programme's change across its series: one code per person for the whole programme, first "before" against
last "after", released once by the lead (surveys.results.programme)."""

import datetime
import re
from html import unescape
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coprod.disclosure import SUPPRESSED
from surveys import services, stats
from surveys.models import Phase, ProgrammeRelease, Response
from surveys.results import pooling
from surveys.results import programme as programme_results
from surveys.views.public import programme_cookie_name
from tests.factories import PartnershipFactory, ProgrammeFactory, SessionFactory
from tests.surveys.conftest import form_data, release, submit
from workshops.models import Session

DISAGREE, AGREE = 2, 4


def _session(programme, day):
    return SessionFactory(partnership=programme.partnership, programme=programme, date=datetime.date(2026, 1, day))


def _questionnaires(session, template):
    return (
        services.survey_create(session=session, phase=Phase.PRE, template=template),
        services.survey_create(session=session, phase=Phase.POST, template=template),
    )


@pytest.fixture
def programme(partnership):
    return ProgrammeFactory(partnership=partnership, title="Co-production Star Action Learning", completion_threshold=2)


@pytest.fixture
def series(programme, template):
    """Three sessions of the programme, each with both questionnaires: [(pre, post)] in date order."""
    return [_questionnaires(_session(programme, day), template) for day in (10, 20, 30)]


def _release_all(series):
    release(*[survey for pair in series for survey in pair])


def _released(programme):
    return ProgrammeRelease.objects.create(programme=programme)


# --- One code for the whole programme ---


def test_a_later_sessions_before_carries_the_programme_code(series):
    first = submit(series[0][0], [DISAGREE] * 3).response

    later = submit(series[2][0], [AGREE] * 3, pairing_code=first.pairing_code.lower()).response

    assert later.pairing_code == first.pairing_code


def test_an_after_keeps_a_programme_code_without_its_own_sessions_before(series):
    first = submit(series[0][0], [DISAGREE] * 3).response

    after = submit(series[2][1], [AGREE] * 3, pairing_code=first.pairing_code).response

    assert (after.pairing_code, after.paired_with) == (first.pairing_code, None)


def test_a_code_never_crosses_programmes_or_partnerships(series, template, programme):
    code = submit(series[0][0], [DISAGREE] * 3).response.pairing_code
    other_programme = ProgrammeFactory(partnership=programme.partnership)
    other_partnership = ProgrammeFactory(partnership=PartnershipFactory())
    lone = SessionFactory(partnership=programme.partnership)
    for session in (_session(other_programme, 5), _session(other_partnership, 5)):
        pre, post = _questionnaires(session, template)
        with pytest.raises(ValidationError, match="could not find this code for this programme"):
            submit(pre, [AGREE] * 3, pairing_code=code)
        with pytest.raises(ValidationError, match="could not find this code for this session"):
            submit(post, [AGREE] * 3, pairing_code=code)
    # Outside any programme, a "before" online gets a new code whatever is sent.
    pre, _post = _questionnaires(lone, template)
    assert submit(pre, [AGREE] * 3, pairing_code=code).response.pairing_code != code


def test_the_phone_keeps_the_programme_code_and_fills_it_in(client, series):
    (first_pre, _), (_, _), (third_pre, third_post) = series
    client.post(f"/s/{first_pre.token}/", form_data(first_pre, ["2", "2", "2"]))
    code = Response.objects.get().pairing_code
    assert client.cookies[programme_cookie_name(first_pre.session.programme_id)].value == code

    page = client.get(f"/s/{third_pre.token}/").content.decode()
    assert f'name="pairing_code" id="id_pairing_code" value="{code}"' in page
    assert "We filled in the code this device got from this programme." in page
    client.post(f"/s/{third_pre.token}/", form_data(third_pre, ["4", "4", "4"], pairing_code=code))
    assert f'value="{code}"' in client.get(f"/s/{third_post.token}/").content.decode()

    assert list(Response.objects.values_list("pairing_code", flat=True)) == [code, code]


def test_a_kiosk_never_fills_in_the_programme_code(client, series):
    (first_pre, _), _, (third_pre, _) = series
    client.post(f"/s/{first_pre.token}/", form_data(first_pre, ["2", "2", "2"]))

    page = client.get(f"/s/{third_pre.token}/kiosk/").content.decode()

    assert 'name="pairing_code" id="id_pairing_code" value=""' in page


def test_a_session_outside_a_programme_asks_no_code_before(client, pre_survey):
    page = client.get(f"/s/{pre_survey.token}/").content.decode()

    assert 'name="pairing_code"' not in page


# --- The figures, worked by hand ---


def _hand_worked(series):
    """Five people disagree at the first session and agree at the last; a sixth answers only the first "before";
    two of the five also answer at the second session (which does not change their first or last answer)."""
    codes = [submit(series[0][0], [DISAGREE] * 3).response.pairing_code for _ in range(6)]
    for code in codes[:2]:
        submit(series[1][0], [DISAGREE] * 3, pairing_code=code)
        submit(series[1][1], [DISAGREE] * 3, pairing_code=code)
    for code in codes[:5]:
        submit(series[2][1], [AGREE] * 3, pairing_code=code)
    _release_all(series)
    return codes


def test_change_from_first_before_to_last_after(series, programme):
    _hand_worked(series)

    results = programme_results.programme_results(programme, _released(programme))

    assert (results.with_before, results.matched) == (6, 5)
    assert round(results.match_rate) == 83
    first = results.statements[0].figures
    expected = stats.paired_change(both=0, improved=5, worsened=0, neither=0)
    assert (first.n_paired, first.change_pp, first.ci_low_pp, first.p_value) == (
        5,
        expected.change_pp,
        expected.ci_low_pp,
        expected.p_value,
    )
    # The sixth person answered only before: fewer than 5 such people, so "before" counts only the five pairs.
    assert (first.n_pre, first.n_post) == (5, 5)
    assert "only before" in first.left_out_note
    assert "answered a first questionnaire before and a last one after" in first.headline


def test_fewer_than_five_pairs_show_no_change(series, programme):
    codes = [submit(series[0][0], [DISAGREE] * 3).response.pairing_code for _ in range(6)]
    for code in codes[:4]:
        submit(series[2][1], [AGREE] * 3, pairing_code=code)
    _release_all(series)

    figures = programme_results.programme_results(programme, _released(programme)).statements[0].figures

    assert (figures.n_paired, figures.change) == (SUPPRESSED, SUPPRESSED)
    assert figures.n_pre == 6  # the answers before count in full: 6 people, and no pairs are shown
    assert figures.n_post is SUPPRESSED


def test_an_after_earlier_than_the_first_before_is_no_pair(series, programme):
    codes = [submit(series[2][0], [DISAGREE] * 3).response.pairing_code for _ in range(5)]
    for code in codes:
        submit(series[0][1], [AGREE] * 3, pairing_code=code)
    _release_all(series)

    results = programme_results.programme_results(programme, _released(programme))

    assert results.matched == 0
    assert results.statements[0].figures.n_paired == 0


def _once_and_regulars(programme, template, regulars):
    """Four sessions: 5 people came once (the last, disagreeing before and agreeing after), and `regulars` answered
    at all four (disagreeing throughout)."""
    series = [_questionnaires(_session(programme, day), template) for day in (10, 15, 20, 30)]
    for _ in range(5):  # came once: the last session's before and after
        code = submit(series[3][0], [DISAGREE] * 3).response.pairing_code
        submit(series[3][1], [AGREE] * 3, pairing_code=code)
    for _ in range(regulars):
        code = submit(series[0][0], [DISAGREE] * 3).response.pairing_code
        for pre, _post in series[1:]:
            submit(pre, [DISAGREE] * 3, pairing_code=code)
        submit(series[3][1], [DISAGREE] * 3, pairing_code=code)
    _release_all(series)


@pytest.mark.parametrize(
    "regulars, shown",
    [
        (5, ["1 to 3 sessions", "4 to 6 sessions"]),  # 5 came once, 5 answered at all four sessions
        (2, []),  # 2 regulars: their band merges with the other, one band is left, so no split
    ],
)
def test_dose_bands_of_fewer_than_five_merge(programme, template, regulars, shown):
    _once_and_regulars(programme, template, regulars)

    bands = programme_results.programme_results(programme, _released(programme)).statements[0].bands

    assert [(band.label, band.figures.n_paired) for band in bands] == [(label, 5) for label in shown]


def test_sessions_released_after_the_programme_do_not_count(series, programme, template):
    _hand_worked(series)
    released = _released(programme)
    before = programme_results.programme_results(programme, released)
    late = _questionnaires(_session(programme, 31), template)
    for _ in range(5):
        code = submit(late[0], [AGREE] * 3).response.pairing_code
        submit(late[1], [DISAGREE] * 3, pairing_code=code)
    for survey in late:  # closed after the programme's release, even if long before anyone looks again
        services.survey_close(survey=survey)

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(days=1)):
        assert pooling.released_sessions(Session.objects.filter(programme=programme)).count() == 4
        after = programme_results.programme_results(programme, released)

    assert len(after.sessions) == len(before.sessions) == 3
    assert after.statements[0].figures.counts == before.statements[0].figures.counts


# --- The page, its release and its downloads ---


def _url(programme, name="programme-results"):
    return reverse(f"surveys:{name}", args=[programme.pk])


def test_before_the_release_the_page_says_why_and_the_lead_can_release(client, lead, facilitator, series, programme):
    _hand_worked(series)
    client.force_login(facilitator)
    page = client.get(_url(programme)).content.decode()
    assert "shown once its lead releases them" in page
    assert "Release the programme" not in page
    assert client.post(_url(programme, "programme-release")).status_code == 403
    assert not ProgrammeRelease.objects.exists()

    client.force_login(lead)
    assert client.post(_url(programme, "programme-release")).status_code == 302
    client.post(_url(programme, "programme-release"))  # a double click: still one release

    assert ProgrammeRelease.objects.get().released_by == lead
    page = client.get(_url(programme)).content.decode()
    assert "People with a first answer before" in page
    assert "answered a first questionnaire before and a last one after" in page


def _text(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_the_page_shows_each_dose_band_and_the_match_rate_for_what_it_is(client, lead, programme, template):
    _once_and_regulars(programme, template, 5)
    _released(programme)
    client.force_login(lead)

    page = client.get(_url(programme)).content.decode()

    dose = page[page.index('id="dose-heading"') : page.index("</section>", page.index('id="dose-heading"'))]
    rows = [_text(row) for row in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", dose, flags=re.S)]
    statement = "I have a sound understanding of the work undertaken by AHPs and third sector organisations."
    assert _text(dose).count(f"By how many sessions people answered at: {statement}") == 1  # the table's name
    assert rows[:2] == [
        "1 to 3 sessions 5 0% to 100% +100 points (+39 to +100) too few to conclude",
        "4 to 6 sessions 5 0% to 0% 0 points (−43 to +43) too few to conclude",
    ]
    assert "Of whom answered after, at that session or a later one 10 (100%)" in _text(page)
    assert "It is not a session’s pairing rate" in _text(page)


def test_another_partnerships_programme_is_not_found(client, outsider, series, programme):
    _released(programme)
    client.force_login(outsider)
    for name in ("programme-results", "programme-results-csv", "programme-responses-csv"):
        assert client.get(_url(programme, name)).status_code == 404
    assert client.post(_url(programme, "programme-release")).status_code == 404


def _csv(response):
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_downloads_hold_what_the_page_shows(client, lead, series, programme):
    _hand_worked(series)
    _released(programme)
    client.force_login(lead)

    results = _csv(client.get(_url(programme, "programme-results-csv")))
    responses = _csv(client.get(_url(programme, "programme-responses-csv")))

    assert {row[0] for row in results[1:]} == {"programme"}
    assert [row[6] for row in results[1:]] == ["5", "5", "5"]  # n_paired per statement
    body = responses[1:]
    # Per statement: the five pairs' first "before" and last "after" (the sixth person's "before" is withheld).
    assert len(body) == 3 * 10
    pairs = {}
    for response_id, pairing_id, phase, *_ in body:
        pairs.setdefault(pairing_id, set()).add((response_id, phase))
    assert len(pairs) == 5 and all(len(halves) == 2 * 1 for halves in pairs.values())


@pytest.mark.parametrize("sessions", [1, 3])
def test_the_page_queries_do_not_grow_with_the_programme(
    client, lead, programme, template, sessions, django_assert_num_queries
):
    series = [_questionnaires(_session(programme, day), template) for day in range(1, sessions + 1)]
    for pre, post in series:
        for _ in range(5):
            code = submit(pre, [DISAGREE] * 3).response.pairing_code
            submit(post, [AGREE] * 3, pairing_code=code)
    _release_all(series)
    _released(programme)
    client.force_login(lead)
    client.get(_url(programme))

    with django_assert_num_queries(14):  # 14th: the role, to offer a shared link
        assert client.get(_url(programme)).status_code == 200


def test_the_responses_download_names_no_session_and_joins_no_other_export(client, lead, series, programme):
    """The people who first (or last) answered at one session can be fewer than 5: naming it, or an id another
    export shares, would single them out with their pair."""
    _hand_worked(series)
    _released(programme)
    client.force_login(lead)
    responses = _csv(client.get(_url(programme, "programme-responses-csv")))
    session_ids = set()
    for pre, _post in series:
        rows = _csv(client.get(reverse("surveys:session-responses-csv", args=[pre.session_id])))
        session_ids |= {row[0] for row in rows[1:]}

    assert {row[3] for row in responses[1:]} == {programme.title}
    assert session_ids and not {row[0] for row in responses[1:]} & session_ids


def test_the_page_explains_its_own_rule_not_a_sessions(client, lead, series, programme):
    _hand_worked(series)
    _released(programme)
    client.force_login(lead)

    html = unescape(client.get(_url(programme)).content.decode())

    assert "from each person’s first answers before to their last answers after" in html
    assert "a session’s answers count only where" not in html
