"""Stored XSS: a script payload in every free-text field renders as text on every page, never as markup; CSV
exports turn cells that a spreadsheet would run as formulas into text."""

import csv
import io
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import ProgressUpdate
from surveys import services as survey_services
from surveys.models import Phase, Source, StatementKind
from tests.factories import (
    AttendanceFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (fixture)

PAYLOAD = """<script>alert(1)</script>"'><img src=x onerror=alert(1)>"""


def marked(field):
    return f"{PAYLOAD} {field}"


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

    def shows(self, text):
        """Whether `text` is on the page as text (or an attribute's value), whole."""
        return any(text in part for part in self.text)


def _read(response):
    page = _Page()
    page.feed(response.content.decode())
    page.close()
    return page


@pytest.fixture
def hostile_world(world, partnership):  # noqa: F811
    """The `world` with the payload in every free-text field a user can fill, and a paper answer holding it."""
    organisation, session, attendee = world["organisation"], world["session"], world["attendee"]
    organisation.name = marked("organisation")
    organisation.save()
    session.title, session.notes, session.venue = marked("title"), marked("notes"), marked("venue")
    session.save()
    session.facilitating_organisations.add(organisation)
    attendee.name, attendee.organisation = marked("attendee"), organisation
    attendee.save()
    project = world["project"]
    project.title, project.aim, project.people_involved_how = marked("project"), marked("aim"), marked("how")
    project.save()
    project.sessions.add(session)
    ProjectPartnerFactory(project=project, organisation=organisation)
    ProgressUpdate.objects.create(project=project, date=timezone.localdate(), text=marked("update"))
    statement = world["local_item"].statement
    statement.text = marked("statement")
    statement.save()

    template = QuestionnaireTemplateFactory(title=marked("template"))
    TemplateItemFactory(template=template, statement=StatementFactory(text=marked("scale")))
    written = StatementFactory(text=marked("question"), kind=StatementKind.TEXT)
    TemplateItemFactory(template=template, statement=written, required=False)
    survey = survey_services.survey_create(session=session, phase=Phase.POST, template=template)
    survey_services.response_submit(
        survey=survey,
        submission_key=uuid.uuid4(),
        answers={written.pk: marked("paper answer")},
        source=Source.PAPER,
        check_required=False,
    )
    return world | {"post_survey": survey}


def _get_pages(client, objects):
    """Every page of the matrix this client may read, and the public questionnaire pages."""
    pages = {}
    for name, kwargs, method, _expected in MATRIX:
        if method != "get":
            continue
        url = reverse(
            name, kwargs={key: objects[value].pk if value in objects else value for key, value in kwargs.items()}
        )
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[name, url] = response
    public = objects["post_survey"].get_public_url()
    pages["surveys:survey-answer", public] = client.get(public)
    return pages


@pytest.mark.parametrize("persona", ["lead", "alliance"])
def test_xss_payload_renders_as_text_everywhere(hostile_world, as_persona, persona):
    pages = _get_pages(as_persona(persona), hostile_world)

    for (name, url), response in pages.items():
        html = response.content.decode()
        page = _read(response)
        assert (name, page.handlers, page.inline_scripts, "x" in page.images) == (name, [], [], False)
        assert "<script>alert(1)</script>" not in html, url
        assert "<img src=x" not in html, url

    shown = {
        field: sorted({name for (name, _url), response in pages.items() if _read(response).shows(marked(field))})
        for field in ["organisation", "title", "notes", "venue", "attendee", "project", "aim", "update", "statement"]
    }
    assert {field: bool(names) for field, names in shown.items()} == dict.fromkeys(shown, True)
    assert {"organisation-detail", "organisation-list"} <= set(shown["organisation"])
    assert {"workshops:session-detail", "workshops:session-list", "surveys:survey-answer"} <= set(shown["title"])
    assert {"workshops:attendee-detail", "workshops:attendee-list"} <= set(shown["attendee"])
    assert {"projects:project-detail", "projects:project-list"} <= set(shown["project"])
    assert "projects:project-detail" in shown["update"]
    assert "surveys:template-detail" in shown["statement"]


def test_xss_payload_in_questionnaire_renders_as_text_for_attendees(client, hostile_world):
    response = client.get(hostile_world["post_survey"].get_public_url())

    page = _read(response)
    assert (page.handlers, page.inline_scripts, "x" in page.images) == ([], [], False)
    assert [page.shows(marked(field)) for field in ["title", "scale", "question"]] == [True, True, True]


# --- CSV exports ---

FORMULAS = ['=HYPERLINK("https://evil.example","Open")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cells(response):
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _runnable(cells):
    """Cells a spreadsheet would run as a formula (a plain negative number is only a number)."""
    return [cell for cell in cells if cell.startswith(("=", "+", "-", "@")) and not NUMBER.fullmatch(cell)]


def test_csv_project_register_neutralises_formulas(client, lead, partnership):
    project = ProjectFactory(
        partnership=partnership, title=FORMULAS[0], aim=FORMULAS[1], people_involved_how=FORMULAS[2]
    )
    ProjectPartnerFactory(project=project, organisation=OrganisationFactory(name=FORMULAS[3]))
    project.sessions.add(SessionFactory(partnership=partnership, title=FORMULAS[3]))
    client.force_login(lead)

    response = client.get(reverse("projects:project-register-export", args=[partnership.pk]))

    cells = _cells(response)
    assert _runnable(cells) == []
    assert [f"'{formula}" in cells for formula in FORMULAS[:3]] == [True, True, True]
    assert response["Content-Disposition"].startswith("attachment;")


def test_csv_session_results_and_responses_neutralise_formulas(client, lead, partnership):
    session = SessionFactory(partnership=partnership, title=FORMULAS[0])
    AttendanceFactory(session=session)
    template = QuestionnaireTemplateFactory()
    scale = StatementFactory(text=FORMULAS[3])
    TemplateItemFactory(template=template, statement=scale)
    survey = survey_services.survey_create(session=session, phase=Phase.PRE, template=template)
    survey_services.response_submit(survey=survey, submission_key=uuid.uuid4(), answers={scale.pk: 4})
    client.force_login(lead)

    results = _cells(client.get(reverse("surveys:session-results-csv", args=[session.pk])))
    responses = _cells(client.get(reverse("surveys:session-responses-csv", args=[session.pk])))

    assert (_runnable(results), _runnable(responses)) == ([], [])
    assert [f"'{FORMULAS[3]}" in cells for cells in (results, responses)] == [True, True]
