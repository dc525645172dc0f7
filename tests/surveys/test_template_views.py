"""Questionnaire templates: ALLIANCE staff keep the national ones, leads add local statements to a copy."""

import re
import uuid

import pytest

from surveys import services
from surveys.models import QuestionnaireTemplate, Statement, TemplateItem
from tests.factories import QuestionnaireTemplateFactory, TemplateItemFactory
from tests.surveys.conftest import submit


def rows(html):
    return re.findall(r'<th scope="row"><a href="/questionnaires/\d+/">([^<]+)</a></th>', html)


def test_template_list_shows_national_and_visible_copies(client, lead, template, partnership, other_partnership):
    services.template_copy(template=template, partnership=partnership)
    services.template_copy(template=template, partnership=other_partnership)
    client.force_login(lead)

    html = client.get("/questionnaires/").content.decode()

    assert rows(html) == [
        "Co-production Star",
        "Exploring New Ways of Working",
        "Test questionnaire",
        "Test questionnaire: North Ayrshire",
    ]
    assert "New national questionnaire" not in html


def test_template_list_for_alliance_shows_every_copy_and_create_button(
    client, alliance, template, partnership, other_partnership
):
    services.template_copy(template=template, partnership=partnership)
    services.template_copy(template=template, partnership=other_partnership)
    client.force_login(alliance)

    html = client.get("/questionnaires/").content.decode()

    assert rows(html)[3:] == ["Test questionnaire: Aberdeen City", "Test questionnaire: North Ayrshire"]
    assert "New national questionnaire" in html


@pytest.mark.parametrize("count", [1, 3])
def test_template_list_queries_do_not_grow(client, alliance, partnership, count, django_assert_num_queries):
    for _ in range(count):
        national = QuestionnaireTemplateFactory()
        TemplateItemFactory(template=national)
        QuestionnaireTemplateFactory(partnership=partnership, based_on=national, title=f"Copy of {national}")
    client.force_login(alliance)

    with django_assert_num_queries(4):  # sign-in session, user and second factor; the templates with their counts
        client.get("/questionnaires/")


def test_template_create_national_by_alliance(client, alliance):
    client.force_login(alliance)

    response = client.post(
        "/questionnaires/new/", {"submission_key": str(uuid.uuid4()), "title": " Good  Conversations "}
    )

    template = QuestionnaireTemplate.objects.get(title="Good Conversations")
    assert (response.url, template.partnership) == (f"/questionnaires/{template.pk}/", None)


def test_template_copy_by_lead_then_local_statement(client, lead, template, partnership):
    client.force_login(lead)

    response = client.post(f"/questionnaires/{template.pk}/copy/", {"partnership": partnership.pk})
    copy = QuestionnaireTemplate.objects.get(partnership=partnership)
    client.post(
        f"/questionnaires/{copy.pk}/statements/new/",
        {
            "text": "I know the Irvine community  groups.",
            "hint": "",
            "kind": "scale",
            "phase": "both",
            "required": "on",
        },
    )
    html = client.get(f"/questionnaires/{copy.pk}/").content.decode()

    assert response.url == f"/questionnaires/{copy.pk}/"
    assert re.findall(r'<div class="small fw-normal">(\w+)</div>', html) == ["National"] * 4 + ["Local"]
    assert list(Statement.objects.filter(partnership=partnership).values_list("text", flat=True)) == [
        "I know the Irvine community groups."
    ]
    assert len(re.findall(r">Edit<span", html)) == 1


def test_template_copy_not_offered_twice(client, lead, template, partnership):
    services.template_copy(template=template, partnership=partnership)
    client.force_login(lead)

    html = client.get(f"/questionnaires/{template.pk}/").content.decode()
    response = client.post(f"/questionnaires/{template.pk}/copy/", {"partnership": partnership.pk})

    assert "Copy for your partnership" not in html
    assert "Select a valid choice" in response.content.decode()
    assert QuestionnaireTemplate.objects.filter(partnership=partnership).count() == 1


def test_national_template_changed_by_alliance_only(client, lead, alliance, template):
    item = TemplateItem.objects.filter(template=template).first()
    data = {"text": "New words.", "hint": "", "phase": "both", "required": "on", "position": 1}
    client.force_login(lead)
    as_lead = client.post(f"/questionnaires/{template.pk}/statements/{item.pk}/edit/", data)
    client.force_login(alliance)
    as_alliance = client.post(f"/questionnaires/{template.pk}/statements/{item.pk}/edit/", data)

    item.refresh_from_db()
    assert (as_lead.status_code, as_alliance.status_code, item.statement.text) == (403, 302, "New words.")


def test_template_item_edit_of_asked_statement_says_new_version(client, alliance, template, pre_survey):
    submit(pre_survey, [4, 4, 4])
    item = TemplateItem.objects.filter(template=template).order_by("position").first()
    client.force_login(alliance)

    response = client.post(
        f"/questionnaires/{template.pk}/statements/{item.pk}/edit/",
        {"text": "New words.", "hint": "", "phase": "both", "required": "on", "position": 1},
        follow=True,
    )

    assert "Saved as version 2" in response.content.decode()
    assert Statement.objects.filter(family=item.statement.family).count() == 2


def test_copy_cannot_edit_national_items_through_its_own_url(client, lead, template, partnership):
    copy = services.template_copy(template=template, partnership=partnership)
    national_item = TemplateItem.objects.filter(template=template).first()
    client.force_login(lead)

    response = client.get(f"/questionnaires/{copy.pk}/statements/{national_item.pk}/edit/")

    assert response.status_code == 404


def test_template_item_remove(client, lead, template, partnership):
    copy = services.template_copy(template=template, partnership=partnership)
    local = services.template_item_add(template=copy, text="Local statement.")
    client.force_login(lead)

    client.post(f"/questionnaires/{copy.pk}/statements/{local.pk}/remove/")

    assert list(TemplateItem.objects.filter(template=copy)) == []
