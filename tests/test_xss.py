"""Stored XSS: a script payload in every text field users can write renders as text on every page, never as
markup; every CSV export turns cells that a spreadsheet would run as formulas into text.

The fields come from the models themselves, so a new text field is seeded (and must show somewhere) without
touching this file.
"""

import csv
import io
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from coprod.models import AuditEntry, ContextFigure
from projects.models import LearningPoint, ProgressUpdate, ProjectMode, StageChange, StarMode
from surveys import selectors as survey_selectors
from surveys import services as survey_services
from surveys.models import Phase, ProgrammeRelease, Source, StatementKind
from surveys.results.figures import threshold
from tests.factories import (
    CertificateFactory,
    LocalityFactory,
    PriorityFactory,
    ProjectPartnerFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)
from tests.surveys.conftest import release
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (fixture)

PAYLOAD = """<script>alert(1)</script>"'><img src=x onerror=alert(1)>"""
SHORT_PAYLOAD = "<script>alert(1)</script>"  # for fields too short for the whole payload
# Each field's text starts with one of these in turn, as a spreadsheet formula would (see the CSV test).
FORMULA_STARTS = "=+-@"
APPS = ["coprod", "workshops", "surveys", "projects"]
# Text fields no user can write, so no payload can reach them. Choices and fields forms never edit (tokens)
# are left out by rule.
NOT_WRITABLE = {
    "coprod.User.password": "a password hash",
    "coprod.RecoveryCodes.name": "always 'Recovery codes', set by the app",
    "coprod.RecoveryCode.locator": "the last four characters of a code the app made",
    "coprod.RecoveryCode.hash": "a password hash of a code",
    "coprod.SubmissionKey.redirect_url": "the URL of what a form created, set by the app",
    "coprod.AuditEntry.object_pk": "the id of the changed object",
    "coprod.AuditEntry.cid": "the request id",
    "surveys.Response.pairing_code": "six capital letters or digits (a database check)",
}
# Fields seeded but shown on no page or export. Any other field must show somewhere, and one of these that starts
# showing must leave this list: either way the test fails, so coverage cannot quietly shrink.
NOT_SHOWN = {
    "coprod.User.username": "a copy of the email address, which the pages show instead",
    "coprod.AuditEntry.changes_text": "django-auditlog's old column: the trail shows the changes from `changes`",
}


def _label(model, field):
    return f"{model._meta.label}.{field.name}"


def writable_text_fields():
    """{model: [text fields a user can write]} for the project's apps."""
    fields = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            writable = [
                field
                for field in model._meta.concrete_fields
                if isinstance(field, (models.CharField, models.TextField))
                and field.editable
                and not field.choices
                and _label(model, field) not in NOT_WRITABLE
            ]
            if writable:
                fields[model] = writable
    return fields


def _mark(model, field):
    """The text each of the field's rows holds (after a formula start, before a row number)."""
    mark = f"{PAYLOAD} {_label(model, field)}"
    room = field.max_length or 10_000
    return mark if len(mark) + 5 <= room else f"{SHORT_PAYLOAD} {_label(model, field)}"


class _Page(HTMLParser):
    """What a browser would make of the page: its elements' attributes, inline scripts, and its text."""

    def __init__(self):
        super().__init__()
        self.handlers, self.inline_scripts, self.images, self.text = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script":
            self._in_script = "src" not in attrs
        if tag == "img":
            self.images.append(attrs.get("src"))
        self.text += [value for value in attrs.values() if value]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)
        self.text.append(data)

    def close(self):
        super().close()
        self.joined = "\x00".join(self.text)  # one string to search: a mark found in it is in one part, whole

    def shows(self, text):
        """Whether `text` is on the page as text (or an attribute's value), whole."""
        return text in self.joined


def _read(response):
    page = _Page()
    page.feed(response.content.decode())
    page.close()
    return page


def _one_of_each(world, partnership, lead):  # noqa: F811
    """Rows for the models the `world` has none of, and a post questionnaire with a paper answer in writing."""
    project = world["project"]
    LocalityFactory(partnership=partnership)
    PriorityFactory(partnership=partnership)
    ContextFigure.objects.create(partnership=partnership, label="Population", value="1", source="NRS 2024")
    ProjectMode.objects.create(project=project, mode=StarMode.CO_DESIGN, how="Together")
    StageChange.objects.create(project=project, to_stage="idea", date=timezone.localdate(), changed_by=lead)
    LearningPoint.objects.create(project=project, text="Ask early", author=lead)
    ProgressUpdate.objects.create(project=project, date=timezone.localdate(), text="Met", author=lead)
    ProjectPartnerFactory(project=project, organisation=world["organisation"])
    project.sessions.add(world["session"])
    pdsa = world["pdsa"]  # a whole cycle: each of its later steps' text needs its date
    pdsa.do_date = pdsa.study_date = pdsa.act_date = pdsa.plan_date
    pdsa.save()
    world["session"].facilitating_organisations.add(world["organisation"])
    world["attendee"].organisation = world["organisation"]
    world["attendee"].save()
    CertificateFactory(programme=world["programme"], attendee=world["programme_completer"])

    template = QuestionnaireTemplateFactory()
    scale = StatementFactory()
    written = StatementFactory(kind=StatementKind.TEXT)
    TemplateItemFactory(template=template, statement=scale)
    TemplateItemFactory(template=template, statement=written, required=False)
    survey = survey_services.survey_create(session=world["session"], phase=Phase.POST, template=template)
    for _ in range(threshold()):  # enough answers that the results and exports show them, once released
        survey_services.response_submit(
            survey=survey,
            submission_key=uuid.uuid4(),
            answers={scale.pk: 4, written.pk: "Good"},
            source=Source.PAPER,
            check_required=False,
        )
    # The programme's sessions: five people with a code before and after, so its results and downloads have rows.
    in_programme = SessionFactory(partnership=partnership, programme=world["programme"], status="held")
    programme_surveys = [
        survey_services.survey_create(session=in_programme, phase=phase, template=template)
        for phase in (Phase.PRE, Phase.POST)
    ]
    for _ in range(threshold()):
        code = survey_services.pairing_code_new()
        for programme_survey in programme_surveys:
            survey_services.response_submit(
                survey=programme_survey,
                submission_key=uuid.uuid4(),
                answers={scale.pk: 4},
                pairing_code=code,
                source=Source.PAPER,
                check_required=False,
            )
    return world | {"post_survey": survey, "hostile_template": template, "programme_surveys": programme_surveys}


@pytest.fixture
def hostile_world(world, partnership, lead):  # noqa: F811
    """The `world`, one row of every model with a writable text field, and the payload in every such field of
    every row; the audit trail's entries (written last) hold it too. Returns the objects and {label: mark}."""
    objects = _one_of_each(world, partnership, lead)
    fields = writable_text_fields()
    marks, seeded = {}, set()
    # Audit entries last: they copy the other rows' text as those are saved.
    for position, model in enumerate(sorted(fields, key=lambda model: model is AuditEntry)):
        marks |= {_label(model, field): _mark(model, field) for field in fields[model]}
        for number, row in enumerate(model.objects.all()):
            start = FORMULA_STARTS[(position + number) % len(FORMULA_STARTS)]
            for field in fields[model]:
                setattr(row, field.name, f"{start}{marks[_label(model, field)]} {number}")
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:  # a check ties the text to another field (a scale answer has none): not this row
                continue
            seeded |= {_label(model, field) for field in fields[model]}
    assert sorted(set(marks) - seeded) == [], "No row holds the payload: add one in _one_of_each()"
    # The questionnaire page keeps a survey's statements per process: these were read before the payload went in.
    survey_selectors._ASKED.pop(objects["post_survey"].token, None)
    return objects, marks


def _release(objects):
    """Close the session's questionnaires as if long ago: their answers go into the exports (and pooled results)."""
    release(objects["survey"], objects["post_survey"], *objects["programme_surveys"])
    ProgrammeRelease.objects.create(programme=objects["programme"])


def _url(objects, name, kwargs):
    return reverse(name, kwargs={key: objects[value].pk if value in objects else value for key, value in kwargs})


def _get_pages(client, objects):
    """Every page of the matrix this client may read, again for the post questionnaire and the hostile template;
    the partnership's other lists; and the public questionnaire."""
    urls = set()
    for name, kwargs, method, _expected in MATRIX:
        if method == "get":
            urls.add((name, _url(objects, name, kwargs.items())))
            swapped = {
                key: {"survey": "post_survey", "national_template": "hostile_template"}.get(value, value)
                for key, value in kwargs.items()
            }
            urls.add((name, _url(objects, name, swapped.items())))
    for kind in ("priorities", "figures"):
        urls.add(("partnership-list-edit", reverse("partnership-list-edit", args=[objects["partnership"].pk, kind])))
    pages = {}
    for name, url in sorted(urls):
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[name, url] = response
    public = objects["post_survey"].get_public_url()
    pages["surveys:survey-answer", public] = client.get(public)
    return pages


def test_xss_payload_renders_as_text_everywhere_and_every_field_shows(hostile_world, client, lead, alliance):
    objects, marks = hostile_world
    shown = set()

    # The pages while the questionnaires are open (the attendees' form, paper entry, the lead's live debrief) and
    # once released (every results screen); the exports hold released answers only.
    for released in (False, True):
        if released:
            _release(objects)
        for user in (lead, alliance):  # ALLIANCE staff see the national pages, the users and the whole audit trail
            client.force_login(user)
            pages = _get_pages(client, objects)
            for (name, url), response in pages.items():
                html = response.content.decode()
                page = _read(response)
                assert (name, page.handlers, page.inline_scripts, "x" in page.images) == (name, [], [], False)
                assert ("<script>alert(1)</script>" in html, "<img src=x" in html) == (False, False), url
                shown |= {label for label, mark in marks.items() if page.shows(mark)}
            if released:
                exports = _exports(client, objects)
                shown |= {label for label, mark in marks.items() if any(_holds(cells, mark) for cells in exports)}

    assert sorted(set(marks) - shown) == sorted(NOT_SHOWN)


def test_xss_payload_in_questionnaire_renders_as_text_for_attendees(client, hostile_world):
    objects, marks = hostile_world

    response = client.get(objects["post_survey"].get_public_url())

    page = _read(response)
    assert (page.handlers, page.inline_scripts, "x" in page.images) == ([], [], False)
    wanted = ["workshops.Session.title", "surveys.Statement.text", "surveys.Statement.hint"]
    assert [page.shows(marks[label]) for label in wanted] == [True, True, True]


# --- CSV exports ---

NUMBER = re.compile(r"-?\d+(\.\d+)?")
EXPORTS = sorted(
    {(name, tuple(kwargs.items())) for name, kwargs, method, _ in MATRIX if name.endswith(("-csv", "-export"))}
)


def _cells(response):
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _exports(client, objects):
    """The cells of each export."""
    return [_cells(client.get(_url(objects, name, kwargs))) for name, kwargs in EXPORTS]


def _holds(cells, mark):
    return any(mark in cell for cell in cells)


def _runnable(cells):
    """Cells a spreadsheet would run as a formula (a plain negative number is only a number)."""
    return [
        cell for cell in cells if cell.startswith(tuple(FORMULA_STARTS) + ("\t", "\r")) and not NUMBER.fullmatch(cell)
    ]


@pytest.mark.parametrize(("name", "kwargs"), EXPORTS, ids=[name for name, _kwargs in EXPORTS])
def test_csv_export_neutralises_formulas_and_is_never_a_page(hostile_world, client, alliance, name, kwargs):
    objects, _marks = hostile_world
    _release(objects)
    client.force_login(alliance)

    response = client.get(_url(objects, name, kwargs))

    cells = _cells(response)
    assert _runnable(cells) == []
    # The payload is in the export, and its cells that start with a formula begin with an apostrophe instead.
    assert [cell for cell in cells if "alert(1)" in cell and cell.startswith("'")] != []
    # Markup in a cell is only text: the browser downloads the file, never renders it as a page.
    assert (
        response["Content-Type"],
        response["Content-Disposition"].split(";")[0],
        response["X-Content-Type-Options"],
    ) == (
        "text/csv; charset=utf-8",
        "attachment",
        "nosniff",
    )
