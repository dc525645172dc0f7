"""The national Co-production Star questionnaire (surveys/migrations/0008_coproduction_star_template.py): its
statements, how attendees see them, and a migration that goes back and forward."""

import importlib
import re
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from surveys import services
from surveys.models import Phase, QuestionnaireTemplate, Statement, TemplateItem
from tests.factories import SessionFactory

migration = importlib.import_module("surveys.migrations.0008_coproduction_star_template")
EDITOR = SimpleNamespace(connection=connection)  # what a migration's RunPython functions read of the schema editor


def _star():
    return QuestionnaireTemplate.objects.get(partnership=None, title="Co-production Star")


def _items(template):
    return list(TemplateItem.objects.filter(template=template).select_related("statement").order_by("position"))


def test_star_template_asks_the_four_cos_and_assets_in_the_first_person(db):
    items = _items(_star())

    scale = [item for item in items if item.statement.kind == "scale"]
    written = [item for item in items if item.statement.kind == "text"]
    wording = [f"{item.statement.text} {item.statement.hint}".lower() for item in scale]
    hints = [item.statement.hint for item in scale]
    assert len(items) <= 10
    assert [(item.phase, item.required) for item in scale] == [("both", True)] * 8
    assert [(item.statement.text, item.phase, item.required) for item in written] == [
        ("What will you do differently after this session?", "post", False)
    ]
    assert all(item.statement.text.startswith("I ") for item in scale)
    # Each of the Star's four modes has a statement in plain words, its name given in the hint; so has the
    # recognition of what people who use services and their communities bring.
    for mode in ("co-commissioning", "co-design", "co-delivery", "co-assessment"):
        assert sum(hint.startswith(f"This is called {mode}. ") for hint in hints) == 1, mode
    for words in ("skills and strengths", "community assets"):
        assert sum(words in text for text in wording) == 1, words
    assert max(len(item.statement.text.split()) for item in items) <= 16  # short sentences


def test_star_template_statements_are_first_versions_of_their_own_families(db):
    statements = [item.statement for item in _items(_star())]

    assert [(statement.version, statement.partnership_id) for statement in statements] == [(1, None)] * 9
    assert len({statement.family for statement in statements}) == 9


def test_star_template_offers_the_scale_and_dont_know_like_the_national_one(client, partnership):
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=_star())
    post = services.survey_create(session=session, phase=Phase.POST, template=_star())

    before = client.get(pre.get_public_url()).content.decode()
    after = client.get(post.get_public_url()).content.decode()

    statements = [item.statement.text for item in _items(_star())]
    legends = [
        re.sub(r"<[^>]+>", "", legend).split(".", 1)[-1].strip()
        for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", before, re.S)
    ]
    assert legends == statements[:8]
    labels = re.findall(r'<label for="id_s\d+_\d">([^<]+)</label>', before)
    scale = [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
        "Don&#x27;t know",
    ]
    assert labels == scale * 8
    assert (after.count('type="radio"'), after.count("<textarea")) == (48, 1)


def test_star_template_migration_is_idempotent(db):
    template = _star()

    migration.create_star_template(apps, EDITOR)

    assert QuestionnaireTemplate.objects.filter(title__iexact="Co-production Star").get() == template
    assert len(_items(template)) == 9


def test_star_template_migration_goes_back_and_forward(db):
    national = QuestionnaireTemplate.objects.get(partnership=None, title="Exploring New Ways of Working")
    others = sorted(Statement.objects.exclude(template_items__template=_star()).values_list("pk", flat=True))
    assert all(operation.reversible for operation in migration.Migration.operations)

    migration.remove_star_template(apps, EDITOR)
    gone = not QuestionnaireTemplate.objects.filter(title__iexact="Co-production Star").exists()
    left = sorted(Statement.objects.values_list("pk", flat=True))
    migration.create_star_template(apps, EDITOR)

    assert (gone, left) == (True, others)
    assert len(_items(national)) == 8
    assert [item.statement.text for item in _items(_star())] == [text for text, *_ in migration.STATEMENTS]


def test_star_template_migration_back_keeps_a_template_in_use(partnership):
    template = _star()
    services.survey_create(session=SessionFactory(partnership=partnership), phase=Phase.PRE, template=template)

    migration.remove_star_template(apps, EDITOR)

    assert _star() == template
    assert len(_items(template)) == 9
