"""The national "Co-production Star" questionnaire, for Co-production Star workshops and Co-production Labs.

Governance International's Co-production Star has four modes: co-commissioning, co-design, co-delivery and
co-assessment. Aberdeen City's programme (seeds/) also names the change that mattered most: staff seeing the
resources (the skills, strengths and time) of people who use services and of their communities. One statement on
each, in plain English: short, in the first person, with the term explained in the hint rather than in the
statement, on the same agreement scale (and "Don't know") as the national template of 0002, the same before and
after, and, as there, an optional written question after.

Like 0002, the wording lives here, frozen: later changes go through the app, which keeps each wording as a version.
"""

import uuid

from django.db import migrations

TITLE = "Co-production Star"
DESCRIPTION = (
    "Governance International's Co-production Star: co-commissioning, co-design, co-delivery and co-assessment, and "
    "the resources that people who use services and their communities bring. Asked before and after each Co-production "
    "Star workshop or Co-production Lab."
)
NO_NAMES = "Please do not include names or anything that could identify you or someone else."

# (text, hint, kind, phase, required)
STATEMENTS = [
    (
        "I understand what co-production means.",
        "Co-production means staff, people who use services, carers and communities working together as equals. "
        "Each brings what they know and can do.",
        "scale",
        "both",
        True,
    ),
    (
        "I know how people who use services can help decide which services are needed.",
        "This is called co-commissioning. It means deciding together what matters most and where time and money go.",
        "scale",
        "both",
        True,
    ),
    (
        "I feel able to plan a service together with the people who use it.",
        "This is called co-design. People who use a service help shape how it works.",
        "scale",
        "both",
        True,
    ),
    (
        "I know how local people and people who use services can help run services.",
        "This is called co-delivery. For example, volunteers or community groups doing things alongside staff.",
        "scale",
        "both",
        True,
    ),
    (
        "I know how people who use services can help judge how well a service works.",
        "This is called co-assessment. People who use a service help check what works and what needs to change.",
        "scale",
        "both",
        True,
    ),
    (
        "I look for the skills and strengths that people who use services bring.",
        "Everyone knows things and can do things. These are sometimes called their assets or resources.",
        "scale",
        "both",
        True,
    ),
    (
        "I know which local groups, places and people can help with health and wellbeing.",
        "For example, community centres, clubs, faith groups, neighbours and volunteers. These are community assets.",
        "scale",
        "both",
        True,
    ),
    (
        "I am ready to try co-production in my own work.",
        "",
        "scale",
        "both",
        True,
    ),
    ("What will you do differently after this session?", NO_NAMES, "text", "post", False),
]


def _national(apps, db):
    QuestionnaireTemplate = apps.get_model("surveys", "QuestionnaireTemplate")
    return QuestionnaireTemplate.objects.using(db).filter(partnership=None, title__iexact=TITLE).first()


def create_star_template(apps, schema_editor):
    """The template and its statements, each the first version of its own family; nothing if it is there already."""
    QuestionnaireTemplate = apps.get_model("surveys", "QuestionnaireTemplate")
    Statement = apps.get_model("surveys", "Statement")
    TemplateItem = apps.get_model("surveys", "TemplateItem")
    db = schema_editor.connection.alias
    if _national(apps, db) is not None:
        return
    template = QuestionnaireTemplate.objects.using(db).create(title=TITLE, description=DESCRIPTION)
    for position, (text, hint, kind, phase, required) in enumerate(STATEMENTS, start=1):
        statement = Statement.objects.using(db).create(family=uuid.uuid4(), version=1, kind=kind, text=text, hint=hint)
        TemplateItem.objects.using(db).create(
            template=template, statement=statement, position=position, phase=phase, required=required
        )


def remove_star_template(apps, schema_editor):
    """The template and every version of its statements, unless it has been used.

    A questionnaire asked from it, or a partnership's copy of it, keeps it: answers are research data, and
    going forward again finds it and leaves it as it is.
    """
    Statement = apps.get_model("surveys", "Statement")
    db = schema_editor.connection.alias
    template = _national(apps, db)
    if template is None or template.surveys.exists() or template.copies.exists():
        return
    families = set(
        Statement.objects.using(db).filter(template_items__template=template).values_list("family", flat=True)
    )
    template.delete()  # and its items
    # Statements another template or questionnaire asks stay (a copy's own never share a family with these).
    Statement.objects.using(db).filter(family__in=families, template_items=None, survey_items=None).delete()


class Migration(migrations.Migration):
    # After 0007_programme_release, in the same change: one line of migrations, so `migrate` finds no conflict.
    dependencies = [("surveys", "0007_programme_release")]

    operations = [migrations.RunPython(create_star_template, remove_star_template)]
