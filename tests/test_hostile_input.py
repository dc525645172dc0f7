"""Hostile input: generated junk posted to every URL of the permission matrix and every public endpoint, as a
lead and as nobody, never gets a 500; redirects after login stay on this site; extra fields set nothing.

The junk (hypothesis): the page's own field names and made-up ones, holding wrong types, huge strings, NUL
characters, numbers past 64 bits, impossible dates, repeated values; or a raw body of arbitrary bytes (invalid
UTF-8) under a form or JSON content type; or nothing at all. SQLite stores a NUL character where PostgreSQL
refuses it, so queries here refuse NULs as PostgreSQL does, and both databases catch the same mistakes.
"""

import io
import logging
import os
import re
import uuid
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coprod.models import Membership, Role
from surveys import services as survey_services
from surveys.models import Phase, StatementKind
from tests.factories import (
    ProjectFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
    UserFactory,
)
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (fixture)
from workshops.models import Session

# Generated examples per URL and persona (plus three fixed ones): about 1,700 requests in all, a minute or so.
# JUNK_EXAMPLES=200 searches harder, locally.
EXAMPLES = int(os.environ.get("JUNK_EXAMPLES", "6"))

# One entry per URL (a URL with GET and POST rows is posted to once), then the public endpoints.
TARGETS = list(dict.fromkeys((name, tuple(sorted(kwargs.items()))) for name, kwargs, _method, _ in MATRIX))
PUBLIC = ["login", "password_reset", "survey-with-statements"]

COMMON_NAMES = [
    "name",
    "title",
    "email",
    "role",
    "partnership",
    "author",
    "created_by",
    "is_alliance_staff",
    "date",
    "status",
    "text",
    "value",
    "submission_key",
    "pairing_code",
    "username",
    "password",
    "next",
]
TRICKY_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "99999999999999999999999999",
    "-9223372036854775809",
    "1e308",
    "NaN",
    "Infinity",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T25:61",
    "25:61",
    "on",
    "None",
    "null",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "\ud7ff\ufffe\uffff",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "https://evil.example/",
    "../../etc/passwd",
    "%00",
    "=cmd|' /C calc'!A0",
    str(uuid.UUID(int=0)),
]
value = st.one_of(
    st.sampled_from(TRICKY_VALUES),
    st.text(max_size=40),
    st.integers().map(str),
    st.sampled_from([10_000, 100_000]).map(lambda size: "x" * size),
)


def junk(names):
    """A form (some of the page's fields, some made up, any values; or every field with one tricky value) or a
    raw body of arbitrary bytes."""
    keys = st.sampled_from(sorted(set(names) | set(COMMON_NAMES))) | st.text(min_size=1, max_size=12)
    form = st.dictionaries(keys, value | st.lists(value, min_size=1, max_size=3), max_size=12) | st.builds(
        lambda tricky, twice: {name: [tricky, tricky] if twice else tricky for name in names},
        st.sampled_from(TRICKY_VALUES),
        st.booleans(),
    )
    raw = st.tuples(
        st.binary(max_size=300) | st.sampled_from([b"\xff\xfe\xfd", b"a=%ff%fe&b=\xc3\x28", b"=&=&&", b"a=" * 200]),
        st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json"]),
    )
    upload = st.builds(
        lambda content, filename: {"file": SimpleUploadedFile(filename, content)},
        st.binary(max_size=2000) | st.text(max_size=500).map(str.encode),
        st.sampled_from(["rows.csv", "rows.tsv", "rows.txt", "rows.xlsx", "rows"]),
    )
    forms = form | upload if "file" in names else form
    return st.one_of(forms.map(lambda data: ("form", data)), raw.map(lambda body: ("raw", body)))


FIELD_NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')


def _field_names(client, url):
    """The names of the fields the page offers, if it is a page (POST-only URLs answer 405 to GET)."""
    response = client.get(url)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    return sorted(set(FIELD_NAME.findall(response.content.decode())))


def _post(client, url, body):
    kind, data = body
    if kind == "form":
        return client.post(url, data)
    payload, content_type = data
    return client.post(url, payload, content_type=content_type)


def _refuse_nul(execute, sql, params, many, context):
    """Refuse NUL characters in query parameters, as PostgreSQL does (and its JSON refuses \\u0000)."""
    rows = params if many else [params]
    for row in rows or []:
        for param in row if isinstance(row, (list, tuple)) else (row or {}).values():
            if isinstance(param, str) and ("\x00" in param or "\\u0000" in param):
                raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


@pytest.fixture
def survey_with_statements(partnership):
    """An open questionnaire asking a scale statement and a written one, so junk reaches real fields."""
    template = QuestionnaireTemplateFactory()
    TemplateItemFactory(template=template, statement=StatementFactory())
    TemplateItemFactory(template=template, statement=StatementFactory(kind=StatementKind.TEXT), required=False)
    session = SessionFactory(partnership=partnership, date=timezone.localdate())
    return survey_services.survey_create(session=session, phase=Phase.POST, template=template)


def _everywhere(names, tricky):
    return ("form", dict.fromkeys(names, tricky))


def _run_junk(client, url, names):
    # Always tried, besides the generated ones: what broke pages before (a list of ids past 64 bits), NULs, size.
    @example(body=_everywhere(names, ["99999999999999999999999999", "-9223372036854775809"]))
    @example(body=_everywhere(names, "a\x00b"))
    @example(body=_everywhere(names, "x" * 100_000))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=junk(names))
    def post_junk(body):
        with connection.execute_wrapper(_refuse_nul):
            response = _post(client, url, body)
        assert response.status_code < 500

    post_junk()


@pytest.mark.parametrize("persona", ["anonymous", "lead"])
@pytest.mark.parametrize(("name", "kwargs"), TARGETS, ids=[target[0] for target in TARGETS])
def test_junk_posted_to_every_url_never_500(world, client, lead, persona, name, kwargs):  # noqa: F811
    url = reverse(name, kwargs={key: world[value].pk if value in world else value for key, value in kwargs})
    client.force_login(lead)
    names = _field_names(client, url)
    if persona == "anonymous":
        client.logout()

    _run_junk(client, url, names)

    # The lead is still a lead: junk changed nothing it should not have.
    assert Membership.objects.filter(user=lead, role=Role.LEAD).count() == 1


@pytest.mark.parametrize("persona", ["anonymous", "lead"])
@pytest.mark.parametrize("name", PUBLIC)
def test_junk_posted_to_public_endpoints_never_500(client, lead, survey_with_statements, persona, name):
    url = survey_with_statements.get_public_url() if name == "survey-with-statements" else reverse(name)
    names = _field_names(client, url)
    if persona == "lead":
        client.force_login(lead)

    _run_junk(client, url, names)

    assert Session.objects.filter(pk=survey_with_statements.session_id).exists()


# --- Redirects after signing in stay on this site ---


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        " https://evil.example/",
        "http://testserver.evil.example/",
    ],
)
def test_login_next_elsewhere_lands_home(client, viewer, next_url):
    response = client.post(
        f"{reverse('login')}?next={next_url}", {"username": "viewer", "password": "a-long-test-password"}
    )

    assert (response.status_code, response.url) == (302, reverse("home"))


def test_login_next_on_this_site_is_followed(client, viewer, partnership):
    target = reverse("partnership-detail", args=[partnership.pk])

    response = client.post(
        f"{reverse('login')}?next={target}", {"username": "viewer", "password": "a-long-test-password"}
    )

    assert (response.status_code, response.url) == (302, target)


# --- Mass assignment: fields a form does not offer are ignored ---


class _Forms(HTMLParser):
    """The values a browser would send from each POST form of a page: {action: {name: [values]}}."""

    def __init__(self):
        super().__init__()
        self.forms, self._values, self._select, self._textarea = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self._values = self.forms.setdefault(attrs.get("action") or "", defaultdict(list))
        elif self._values is None or (not name and tag != "option"):
            return
        elif tag == "input" and attrs.get("type", "text") in ("checkbox", "radio"):
            if "checked" in attrs:
                self._values[name].append(attrs.get("value", "on"))
        elif tag == "input" and attrs.get("type", "text") not in ("submit", "button", "file", "reset", "image"):
            self._values[name].append(attrs.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._values[self._select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self._values[name].append("")

    def handle_data(self, data):
        if self._textarea:
            self._values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._values = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._values[self._textarea][-1] = self._values[self._textarea][-1].removeprefix("\n")
            self._textarea = None


def _filled_form(client, url):
    """The page's own form as the browser would send it unchanged."""
    parser = _Forms()
    parser.feed(client.get(url).content.decode())
    return dict(parser.forms[""])


@pytest.fixture
def intruder(other_partnership):
    """Someone else, and somewhere else, that extra fields could try to point records at."""
    return {"partnership": other_partnership, "user": UserFactory(username="intruder")}


def test_mass_assignment_session_edit_keeps_partnership_and_author(client, lead, partnership, intruder):
    session = SessionFactory(partnership=partnership, title="Irvine session", created_by=lead)
    client.force_login(lead)
    url = reverse("workshops:session-edit", args=[session.pk])
    data = _filled_form(client, url) | {"title": "Irvine session, moved"}

    response = client.post(
        url, data | {"partnership": intruder["partnership"].pk, "created_by": intruder["user"].pk, "id": 999}
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert (session.pk, session.title, session.partnership, session.created_by) == (
        session.pk,
        "Irvine session, moved",
        partnership,
        lead,
    )


def test_mass_assignment_member_edit_changes_only_the_role(client, lead, viewer, partnership, intruder):
    membership = Membership.objects.get(user=viewer)
    client.force_login(lead)
    url = reverse("member-edit", args=[partnership.pk, membership.pk])

    response = client.post(
        url,
        _filled_form(client, url)
        | {"role": "facilitator", "user": intruder["user"].pk, "partnership": intruder["partnership"].pk},
    )

    membership.refresh_from_db()
    assert response.status_code == 302
    assert (membership.user, membership.partnership, membership.role) == (viewer, partnership, "facilitator")


def test_mass_assignment_user_edit_cannot_make_a_superuser(client, alliance, viewer):
    client.force_login(alliance)
    url = reverse("user-edit", args=[viewer.pk])
    password = viewer.password

    response = client.post(
        url,
        _filled_form(client, url)
        | {"first_name": "Morag", "is_superuser": "on", "is_staff": "on", "username": "root", "password": "x"},
    )

    viewer.refresh_from_db()
    assert response.status_code == 302
    assert (viewer.first_name, viewer.is_superuser, viewer.is_staff, viewer.username, viewer.password) == (
        "Morag",
        False,
        False,
        "viewer",
        password,
    )


def test_mass_assignment_project_edit_and_update_keep_partnership_stage_and_author(client, lead, partnership, intruder):
    project = ProjectFactory(partnership=partnership, title="Walking group", created_by=lead)
    client.force_login(lead)
    edit_url = reverse("projects:project-edit", args=[project.pk])
    extra = {
        "partnership": intruder["partnership"].pk,
        "created_by": intruder["user"].pk,
        "author": intruder["user"].pk,
        "stage": "closed",
        "project": ProjectFactory(partnership=intruder["partnership"]).pk,
    }

    edited = client.post(edit_url, _filled_form(client, edit_url) | {"title": "Walking group for carers"} | extra)
    update_url = reverse("projects:update-add", args=[project.pk])
    updated = client.post(update_url, _filled_form(client, update_url) | {"text": "First walk held."} | extra)

    project.refresh_from_db()
    assert (edited.status_code, updated.status_code) == (302, 302)
    assert (project.title, project.partnership, project.created_by, project.stage) == (
        "Walking group for carers",
        partnership,
        lead,
        "idea",
    )
    assert list(project.updates.values_list("text", "author")) == [("First walk held.", lead.pk)]


# --- Logs never hold a survey's token ---


def test_log_lines_never_hold_survey_tokens(client, survey_with_statements):
    console = next(handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler)
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        client.post(survey_with_statements.get_public_url(), {"junk": "1"})  # 400, which Django logs
        client.get("/s/a-mistyped-token/")  # 404, likewise
    finally:
        console.setStream(previous)

    output = stream.getvalue()
    assert [token in output for token in (survey_with_statements.token, "a-mistyped-token")] == [False, False]
    assert [line.rsplit(" ", 1)[-1] for line in output.splitlines() if " django.request " in line] == [
        "/s/…/",
        "/s/…/",
    ]
