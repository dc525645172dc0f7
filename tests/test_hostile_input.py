"""Hostile input: generated junk posted to every URL of the permission matrix and every public endpoint (as
nobody, as a lead and as ALLIANCE staff), and sent in the querystring of every page, never gets a 500 or a
traceback; redirects after login stay on this site; extra fields set nothing.

The junk (hypothesis): the page's own field names, every filter's names and made-up ones, holding wrong types,
huge strings, NUL characters, numbers past 64 bits, impossible dates, repeated values; or a raw body of arbitrary
bytes (invalid UTF-8) under a form or JSON content type; or nothing at all. SQLite stores a NUL character where
PostgreSQL refuses it, so queries here refuse NULs as PostgreSQL does, and both databases catch the same mistakes.
"""

import io
import logging
import os
import re
import urllib.parse
import uuid
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coprod.forms import AuditFilterForm, OrganisationFilterForm, PartnershipFilterForm, UserFilterForm
from coprod.models import Membership, Role, User
from projects.forms import RegisterFilterForm
from surveys import services as survey_services
from surveys.forms import ResultsFilterForm
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
from workshops.forms import AttendeeFilterForm, SessionFilterForm
from workshops.models import Session

# Generated examples per URL and persona (plus three fixed ones): about 1,200 requests in all, under a minute.
# JUNK_EXAMPLES=200 searches harder, locally.
EXAMPLES = int(os.environ.get("JUNK_EXAMPLES", "2"))

# One entry per URL (a URL with GET and POST rows is posted to once), then the public endpoints.
TARGETS = list(dict.fromkeys((name, tuple(sorted(kwargs.items()))) for name, kwargs, _method, _ in MATRIX))
PUBLIC = ["login", "password_reset", "survey-with-statements"]
# Anonymous users are sent to log in (the matrix checks that each of their 302s goes there).
REFUSED = {302, 403, 404}


def _lets_in(persona, name, kwargs):
    """Whether some row of the matrix lets the persona past the permission check of this URL."""
    return any(
        (row[0], tuple(sorted(row[1].items()))) == (name, kwargs) and row[3][persona] not in REFUSED for row in MATRIX
    )


# The lead junks every URL, refusals included; anonymous users and ALLIANCE staff only those they get into (the
# public pages; ALLIANCE staff's own forms: new partnerships, users, national templates), as a refusal happens
# before any field is read.
POST_RUNS = [
    (persona, *target)
    for persona in ("anonymous", "lead", "alliance")
    for target in TARGETS
    if persona == "lead" or _lets_in(persona, *target)
]
# The pages that read their querystring (filters, ?page=, and the few that take a starting value), junked as
# someone they let in: the lead where it can, else ALLIANCE staff.
READS_QUERY = ("-list", "-results", "-csv", "-export", "audit-trail", "-register", "-summary")
READS_QUERY_TOO = {
    "workshops:session-create": "?partnership=",
    "workshops:session-detail": "the register's ?page=",
    "surveys:survey-create": "?phase=",
    "surveys:survey-paper": "?rows=",
    "projects:project-create": "?session= and ?partnership=",
}
GET_RUNS = [
    ("lead" if expected["lead"] == 200 else "alliance", name, tuple(sorted(kwargs.items())))
    for name, kwargs, method, expected in MATRIX
    if method == "get"
    and (name.endswith(READS_QUERY) or name in READS_QUERY_TOO)
    and 200 in (expected["lead"], expected["alliance"])
]
# The names every filter form and querystring reader knows, so junk reaches the code that reads them.
FILTER_NAMES = sorted(
    {
        name
        for form in (
            AuditFilterForm,
            OrganisationFilterForm,
            PartnershipFilterForm,
            UserFilterForm,
            SessionFilterForm,
            AttendeeFilterForm,
            ResultsFilterForm,
            RegisterFilterForm,
        )
        for name in form.base_fields
    }
    | {"page", "rows", "phase", "session", "partnership", "next"}
)

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
    "last",
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


def query(names):
    """A querystring: known and made-up names holding any values, every name holding one tricky value, or raw
    percent-encoded bytes (invalid UTF-8 included)."""
    keys = st.sampled_from(sorted(set(names) | set(FILTER_NAMES))) | st.text(min_size=1, max_size=12)
    params = st.dictionaries(keys, value | st.lists(value, min_size=1, max_size=3), max_size=12) | st.builds(
        lambda tricky: dict.fromkeys(FILTER_NAMES, tricky), st.sampled_from(TRICKY_VALUES)
    )
    raw = st.binary(max_size=200).map(lambda data: urllib.parse.quote_from_bytes(data, safe="=&;"))
    return st.one_of(params.map(lambda data: urllib.parse.urlencode(data, doseq=True)), raw)


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


def _body(response):
    """The whole body; a streamed one (the CSV exports) is read through, so errors while streaming surface."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_no_error(response):
    with connection.execute_wrapper(_refuse_nul):
        body = _body(response)
    assert (response.status_code < 500, b"Traceback" in body) == (True, False)


JUNK_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def _run_junk(client, url, names, before=lambda: None):
    """Post junk to the URL, each time after `before` (which restores the state the page needs)."""

    # Always tried, besides the generated ones: what broke pages before (a list of ids past 64 bits), NULs, size.
    @example(body=_everywhere(names, ["99999999999999999999999999", "-9223372036854775809"]))
    @example(body=_everywhere(names, "a\x00b"))
    @example(body=_everywhere(names, "x" * 100_000))
    @JUNK_SETTINGS
    @given(body=junk(names))
    def post_junk(body):
        before()
        with connection.execute_wrapper(_refuse_nul):
            response = _post(client, url, body)
        _assert_no_error(response)

    post_junk()


def _url(world, name, kwargs):  # noqa: F811
    return reverse(name, kwargs={key: world[value].pk if value in world else value for key, value in kwargs})


@pytest.mark.parametrize(("persona", "name", "kwargs"), POST_RUNS, ids=[f"{run[1]}-{run[0]}" for run in POST_RUNS])
def test_junk_posted_to_every_url_never_500(world, client, lead, alliance, persona, name, kwargs):  # noqa: F811
    url = _url(world, name, kwargs)
    user = alliance if persona == "alliance" else lead
    client.force_login(user)
    names = _field_names(client, url)
    client.logout()

    def sign_in():
        """Before each post: junk posted to the logout URL must not turn the rest into anonymous junk."""
        if persona != "anonymous" and SESSION_KEY not in client.session:
            client.force_login(user)

    _run_junk(client, url, names, before=sign_in)

    # The lead is still a lead, and ALLIANCE staff still staff: junk changed nothing it should not have.
    assert (
        Membership.objects.filter(user=lead, role=Role.LEAD).count(),
        User.objects.get(pk=alliance.pk).is_alliance_staff,
    ) == (1, True)


@pytest.mark.parametrize("persona", ["anonymous", "lead"])
@pytest.mark.parametrize("name", PUBLIC)
def test_junk_posted_to_public_endpoints_never_500(client, lead, survey_with_statements, persona, name):
    url = survey_with_statements.get_public_url() if name == "survey-with-statements" else reverse(name)
    names = _field_names(client, url)
    if persona == "lead":
        client.force_login(lead)

    _run_junk(client, url, names)

    assert Session.objects.filter(pk=survey_with_statements.session_id).exists()


# --- Pages that need a state: a valid password reset link, a login waiting for its second step ---


def test_junk_posted_to_password_reset_with_a_valid_link_never_500(client, viewer):
    uidb64 = urlsafe_base64_encode(force_bytes(viewer.pk))
    url = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": "set-password"})

    def open_link():
        """What the emailed link does: checks its token, keeps it in the session, sends on to the form."""
        viewer.refresh_from_db()  # a junk post may have set a password, which ends the previous link
        token = default_token_generator.make_token(viewer)
        response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))
        assert response.url == url

    open_link()
    names = _field_names(client, url)
    assert {"new_password1", "new_password2"} <= set(names)

    _run_junk(client, url, names, before=open_link)


@pytest.mark.parametrize(("persona", "step"), [("facilitator", "login-code"), ("lead", "two-factor-setup")])
def test_junk_posted_to_a_pending_login_never_500(client, request, persona, step):
    """The facilitator has an authenticator, so types a code; the lead must have one, so sets one up."""
    user = request.getfixturevalue(persona)
    if step == "login-code":
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)

    def log_in():
        client.logout()
        response = client.post(reverse("login"), {"username": persona, "password": "a-long-test-password"})
        assert response.url == reverse(step)

    log_in()
    url = reverse(step)
    names = _field_names(client, url)
    assert "code" in names

    _run_junk(client, url, names, before=log_in)


# --- The querystring of every page ---


def _query_examples(run):
    """The generated querystrings, and always every filter holding a NUL, a number past 64 bits, a bad date."""
    for tricky in ("a\x00b", "99999999999999999999999999", "2026-02-30"):
        run = example(params=urllib.parse.urlencode(dict.fromkeys(FILTER_NAMES, tricky)))(run)
    return run


@pytest.mark.parametrize(("persona", "name", "kwargs"), GET_RUNS, ids=[f"{run[1]}-{run[0]}" for run in GET_RUNS])
def test_junk_querystring_on_every_page_never_500(world, as_persona, persona, name, kwargs):  # noqa: F811
    client = as_persona(persona)
    url = _url(world, name, kwargs)
    names = _field_names(client, url)

    @_query_examples
    @JUNK_SETTINGS
    @given(params=query(names))
    def get_junk(params):
        with connection.execute_wrapper(_refuse_nul):
            response = client.get(f"{url}?{params}")
        _assert_no_error(response)

    get_junk()


@pytest.mark.parametrize("name", PUBLIC)
def test_junk_querystring_on_public_endpoints_never_500(client, survey_with_statements, name):
    url = survey_with_statements.get_public_url() if name == "survey-with-statements" else reverse(name)

    @_query_examples
    @JUNK_SETTINGS
    @given(params=query(_field_names(client, url)))
    def get_junk(params):
        with connection.execute_wrapper(_refuse_nul):
            response = client.get(f"{url}?{params}")
        _assert_no_error(response)

    get_junk()


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
    assert re.findall(r'logger=django\.request .* msg="[^"]*: (\S+)"', output) == ["/s/…/", "/s/…/"]
