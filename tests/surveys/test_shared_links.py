"""Read-only links to a results or dashboard page: made by a scope's writers, shown once, viewed without an
account (no written answers, no small groups, the filters frozen), expired or revoked, every view audited."""

import datetime
import hashlib
import re
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from coprod.models import AuditEntry
from surveys import services
from surveys.models import SharedLink, SharedLinkKind
from tests.surveys.conftest import release, scale_ids
from tests.surveys.test_results_views import _session, answer_pairs, headlines, text_of

CREATE = reverse("surveys:shared-link-create")
WITHHELD = "Fewer than 5 people answered"


def make(client, user, kind, target, query="", label="Board, March", days=90):
    client.force_login(user)
    data = {"kind": kind, "target": target or "", "query": query, "label": label, "days": days}
    response = client.post(CREATE, data | {"submission_key": uuid.uuid4()}, follow=True)
    client.logout()
    return response


def token_of(response):
    url = re.search(r'id="shared-link-url"[^>]*value="([^"]+)"', response.content.decode()).group(1)
    return url.rstrip("/").rsplit("/", 1)[1]


def shared_url(token):
    return reverse("surveys:shared-view", args=[token])


def link_entries(link):
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(SharedLink), object_id=link.pk)
    return list(entries.order_by("pk").values_list("action", "actor__username", "partnership_id"))


@pytest.fixture
def released(session, pre_survey, post_survey):
    """12 pairs, and one written answer, released."""
    answer_pairs(pre_survey, post_survey, 12)
    text_id = post_survey.items.get(statement__kind="text").statement_id
    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers=dict(zip(scale_ids(post_survey), [4, 4, 4], strict=True)) | {text_id: "Invite the Men's Shed along."},
    )
    release(pre_survey, post_survey)
    return session


# --- The token ---


def test_shared_link_token_has_256_bits_and_only_its_hash_is_stored(client, lead, released):
    response = make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk)

    token = token_of(response)
    link = SharedLink.objects.get()
    assert len(token) == 43  # token_urlsafe(32): 32 random bytes
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(SharedLink.objects.values().get())
    assert token not in str(list(AuditEntry.objects.values()))
    assert response.headers["Cache-Control"] == "no-store, private"


# --- The lifecycle: create, view, expire, revoke ---


def test_shared_link_create_shows_the_link_once_with_its_expiry(client, lead, released):
    response = make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk, days=30)

    link = SharedLink.objects.get()
    assert (link.kind, link.target_id, link.partnership, link.label, link.created_by) == (
        SharedLinkKind.SESSION_RESULTS,
        released.pk,
        released.partnership,
        "Board, March",
        lead,
    )
    assert link.expires_at - link.created_at == datetime.timedelta(days=30)
    assert f"It works until {link.expires_at:%-d %B %Y}." in text_of(response)
    client.force_login(lead)
    listed = client.get(reverse("surveys:shared-links", args=[released.partnership_id]))
    assert 'id="shared-link-url"' not in listed.content.decode()
    assert response.status_code == 200


def test_shared_link_double_submit_makes_one_link_and_shows_it(client, lead, released):
    client.force_login(lead)
    data = {"kind": SharedLinkKind.SESSION_RESULTS, "target": released.pk, "query": "", "label": "", "days": 90}
    data["submission_key"] = uuid.uuid4()
    client.post(CREATE, data)
    again = client.post(CREATE, data, follow=True)

    link = SharedLink.objects.get()
    assert link.token_hash == hashlib.sha256(token_of(again).encode()).hexdigest()
    assert 'id="shared-link-url"' not in client.get(link.get_absolute_url()).content.decode()  # shown once


def test_shared_link_default_expiry_is_90_days(db, lead, partnership):
    link, _token = services.shared_link_create(
        kind=SharedLinkKind.PARTNERSHIP_RESULTS,
        target_id=None,
        query="",
        partnership=partnership,
        label="",
        days=90,
        user=lead,
    )
    assert SharedLink(created_at=link.created_at).expires_at - timezone.now() > datetime.timedelta(days=89)


@pytest.mark.parametrize("days", [0, 366])
def test_shared_link_create_refuses_days_out_of_range(client, lead, released, days):
    response = make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk, days=days)

    assert response.status_code == 400
    assert SharedLink.objects.count() == 0
    assert "Days until it expires" in response.content.decode()


def test_shared_link_view_shows_the_released_results_without_written_answers(client, lead, viewer, released):
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk))
    client.force_login(viewer)
    members = client.get(reverse("surveys:session-results", args=[released.pk]))
    client.logout()

    response = client.get(shared_url(token))

    assert "Invite the Men's Shed along." in text_of(members)
    assert "Invite the Men's Shed along." not in text_of(response)
    assert "result-written" not in response.content.decode()
    assert headlines(response) == headlines(members)
    assert len(headlines(response)) == 3
    html = response.content.decode()
    for member_only in ('.csv"', '.ods"', 'method="get"', "Share a read-only link", "/questionnaires/", "<form"):
        assert member_only not in html
    assert (response.headers["X-Robots-Tag"], response.headers["Cache-Control"]) == ("noindex", "no-store")
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_shared_link_view_withholds_groups_of_fewer_than_five(client, lead, session, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 3)
    release(pre_survey, post_survey)
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, session.pk))

    response = client.get(shared_url(token))

    text = text_of(response)
    assert text.count(WITHHELD) == 3
    assert (
        headlines(response)
        == ["Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."] * 3
    )
    assert "Agreeing among them" not in text


def test_shared_link_view_of_a_live_session_shows_nothing_before_release(client, lead, session, pre_survey):
    answer_pairs(pre_survey, pre_survey, 0)
    for _ in range(6):
        services.response_submit(
            survey=pre_survey, submission_key=uuid.uuid4(), answers=dict.fromkeys(scale_ids(pre_survey), 2)
        )
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, session.pk))

    response = client.get(shared_url(token))

    assert headlines(response) == []
    assert "Results appear here once the session’s questionnaires have closed" in text_of(response)


def test_shared_link_view_applies_the_frozen_filters(client, lead, partnership, template):
    _session(partnership, template, pairs=6, date=datetime.date(2026, 1, 10), title="January")
    _session(partnership, template, pairs=7, date=datetime.date(2026, 6, 10), title="June")
    token = token_of(
        make(client, lead, SharedLinkKind.PARTNERSHIP_RESULTS, partnership.pk, query="date_from=2026-05-01")
    )

    response = client.get(shared_url(token) + "?date_from=2025-01-01")

    text = text_of(response)
    assert "All sessions with a questionnaire: sessions from 1 May 2026." in text
    assert "June" in text
    assert "January" not in text
    assert '<a href="/sessions/' not in response.content.decode()


def test_shared_link_view_of_a_dashboard_hides_filters_downloads_and_member_links(client, lead, partnership):
    token = token_of(make(client, lead, SharedLinkKind.PARTNERSHIP_DASHBOARD, partnership.pk))

    response = client.get(shared_url(token))

    html = response.content.decode()
    assert "North Ayrshire HSCP: dashboard" in text_of(response)
    for member_only in ("dashboard.csv", "filters-details", "The projects behind these figures", "/results/"):
        assert member_only not in html


def test_shared_link_expired_says_so(client, lead, released):
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk))
    link = SharedLink.objects.get()
    SharedLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=91), expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    link.refresh_from_db()

    response = client.get(shared_url(token))

    assert response.status_code == 410
    assert text_of(response) == f"This link expired on {link.expires_at:%-d %B %Y} " + (
        "The figures it showed are no longer shared through it. Ask the person who sent it if you need them."
    )
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_shared_link_revoked_says_so_at_once(client, lead, released):
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk))
    link = SharedLink.objects.get()
    client.force_login(lead)

    revoked = client.post(reverse("surveys:shared-link-revoke", args=[link.pk]), follow=True)
    client.logout()
    response = client.get(shared_url(token))

    link.refresh_from_db()
    assert (link.revoked_by, link.revoked_at is not None) == (lead, True)
    assert [str(message) for message in revoked.context["messages"]] == [
        "The link “Session results: Board, March” is withdrawn: whoever opens it now sees that it was withdrawn, "
        "and no figures."
    ]
    assert response.status_code == 410
    assert text_of(response).startswith(f"This link was withdrawn on {link.revoked_at:%-d %B %Y} ")
    assert headlines(response) == []


def test_shared_link_unknown_is_a_404_that_says_so(client, db):
    response = client.get(shared_url("x" * 43))

    assert response.status_code == 404
    assert text_of(response).startswith("This link is not valid")


# --- The audit trail ---


def test_shared_link_create_revoke_and_each_view_are_audited(client, lead, released):
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk))
    link = SharedLink.objects.get()
    client.get(shared_url(token))
    client.get(shared_url(token))
    client.force_login(lead)
    client.post(reverse("surveys:shared-link-revoke", args=[link.pk]))
    client.logout()
    client.get(shared_url(token))  # withdrawn: not a view of the figures

    pid = released.partnership_id
    assert link_entries(link) == [
        (AuditEntry.Action.CREATE, "lead", pid),
        (AuditEntry.Action.ACCESS, None, pid),
        (AuditEntry.Action.ACCESS, None, pid),
        (AuditEntry.Action.UPDATE, "lead", pid),
    ]
    assert "token_hash" not in str(AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).values("changes"))


def test_shared_links_page_lists_links_with_their_views(client, lead, released):
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk))
    client.get(shared_url(token))
    client.get(shared_url(token))
    client.force_login(lead)

    response = client.get(reverse("surveys:shared-links", args=[released.partnership_id]))

    today = timezone.now()
    expires = today + datetime.timedelta(days=90)
    row = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), flags=re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() == (
        f"Board, March Session results: Exploring New Ways of Working: Irvine none {today:%-d %b %Y}, {lead} "
        f"{expires:%-d %b %Y} Active 2 Revoke Board, March"
    )


# --- Permissions ---


def test_shared_link_outsiders_get_404_on_create_list_and_revoke(client, lead, outsider, released):
    make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk)
    link = SharedLink.objects.get()

    assert make(client, outsider, SharedLinkKind.SESSION_RESULTS, released.pk).status_code == 404
    assert make(client, outsider, SharedLinkKind.PARTNERSHIP_RESULTS, released.partnership_id).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("surveys:shared-links", args=[released.partnership_id])).status_code == 404
    assert client.post(reverse("surveys:shared-link-revoke", args=[link.pk])).status_code == 404
    assert SharedLink.objects.count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None


def test_shared_link_viewers_get_403_on_create_and_revoke(client, lead, viewer, released):
    make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk)
    link = SharedLink.objects.get()

    assert make(client, viewer, SharedLinkKind.SESSION_RESULTS, released.pk).status_code == 403
    assert make(client, viewer, SharedLinkKind.NATIONAL_RESULTS, None).status_code == 403
    client.force_login(viewer)
    assert client.post(reverse("surveys:shared-link-revoke", args=[link.pk])).status_code == 403
    listed = client.get(reverse("surveys:shared-links", args=[released.partnership_id]))
    assert "Revoke" not in listed.content.decode()
    link.refresh_from_db()
    assert (SharedLink.objects.count(), link.revoked_at) == (1, None)


def test_shared_link_form_is_offered_to_writers_only(client, lead, viewer, released):
    url = reverse("surveys:session-results", args=[released.pk])
    client.force_login(lead)
    assert "Share a read-only link" in client.get(url).content.decode()
    client.force_login(viewer)
    assert "Share a read-only link" not in client.get(url).content.decode()


def test_national_shared_link_by_alliance_staff(client, alliance, db):
    token = token_of(make(client, alliance, SharedLinkKind.NATIONAL_RESULTS, None, query="date_from=2026-05-01"))

    response = client.get(shared_url(token))

    link = SharedLink.objects.get()
    assert (link.partnership, link.query) == (None, "date_from=2026-05-01")
    assert text_of(response).startswith(
        "National results Every partnership’s sessions, on the national questionnaire’s statements: sessions from "
        f"1 May 2026. Printed {timezone.now():%-d %B %Y}. A read-only link (Board, March), shared by the ALLIANCE "
        f"until {link.expires_at:%-d %B %Y}. 0 partnerships with answers. A session’s answers count once its "
        "questionnaires have closed"
    )
    assert link_entries(link) == [(AuditEntry.Action.CREATE, "alliance", None), (AuditEntry.Action.ACCESS, None, None)]


# --- Queries ---


@pytest.mark.parametrize("count", [1, 3])
def test_shared_link_view_queries_do_not_grow(client, lead, partnership, template, count, django_assert_num_queries):
    for number in range(count):
        _session(partnership, template, pairs=6, date=datetime.date(2026, 3, number + 1), title=f"Session {number}")
    token = token_of(make(client, lead, SharedLinkKind.PARTNERSHIP_RESULTS, partnership.pk))
    client.get(shared_url(token))

    with django_assert_num_queries(QUERIES):
        response = client.get(shared_url(token))

    assert text_of(response).count("Session ") >= count


QUERIES = 6


def test_shared_link_views_show_in_the_partnerships_audit_trail(client, lead, released):
    token = token_of(make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk))
    client.get(shared_url(token))
    client.force_login(lead)

    response = client.get(reverse("partnership-audit-trail", args=[released.partnership_id]))

    rows = [row["action"] + " " + row["kind"] + ": " + row["object"] for row in response.context["rows"]][:2]
    assert rows == [
        "Viewed shared link: Session results: Board, March",
        "Created shared link: Session results: Board, March",
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_shared_links_page_queries_do_not_grow(client, lead, released, count, django_assert_num_queries):
    for number in range(count):
        make(client, lead, SharedLinkKind.SESSION_RESULTS, released.pk, label=f"Link {number}")
        make(client, lead, SharedLinkKind.PARTNERSHIP_RESULTS, released.partnership_id, query="date_from=2026-01-01")
    client.force_login(lead)
    url = reverse("surveys:shared-links", args=[released.partnership_id])

    # sign-in session, user and second factor; the partnership; the role (to see, then to revoke); the links;
    # their views; their sessions (their programmes: none shared here, so no query)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)

    assert len(response.context["rows"]) == 2 * count


LIST_QUERIES = 9
