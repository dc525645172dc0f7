"""The national "Exploring New Ways of Working" questionnaire, and the cache table the rate limit counts in.

Both in a migration so that a fresh production install has them after `migrate`, with nothing else to run.
The wording lives here, frozen: later changes go through the app, which keeps each wording as a version.
"""

import uuid

from django.core.management import call_command
from django.db import migrations

TITLE = "Exploring New Ways of Working"
DESCRIPTION = (
    "The questionnaire of the ALLIANCE and AHP framework “Exploring New Ways of Working”, asked before and "
    "after each session."
)
NO_NAMES = "Please do not include names or anything that could identify you or someone else."

# (text, hint, kind, phase, required)
STATEMENTS = [
    (
        "I have a sound understanding of the work undertaken by AHPs and third sector organisations within my "
        "partnership.",
        "AHPs are Allied Health Professionals, such as physiotherapists, occupational therapists, dietitians, "
        "podiatrists and paramedics. Third sector organisations are charities, voluntary and community groups.",
        "scale",
        "both",
        True,
    ),
    ("I am aware of local and national resources to support health and wellbeing.", "", "scale", "both", True),
    (
        "I feel confident using a self-management approach in my work.",
        "Self-management means supporting people to live well with a long-term condition on their own terms, "
        "using their own strengths and the support around them.",
        "scale",
        "both",
        True,
    ),
    (
        "I know whom to contact in the third sector when the people I work with could benefit from its support.",
        "",
        "scale",
        "both",
        True,
    ),
    (
        "I see people who use services, and unpaid carers, as equal partners in designing support.",
        "",
        "scale",
        "both",
        True,
    ),
    (
        "I am aware of the ALLIANCE and the self-management resources and support it provides.",
        "The Health and Social Care Alliance Scotland (the ALLIANCE) is the national third sector intermediary "
        "for health and social care.",
        "scale",
        "both",
        True,
    ),
    ("What will you do differently as a result of this session?", NO_NAMES, "text", "post", False),
    ("Is there anything else you would like to tell us about the session?", NO_NAMES, "text", "post", False),
]


def create_default_template(apps, schema_editor):
    QuestionnaireTemplate = apps.get_model("surveys", "QuestionnaireTemplate")
    Statement = apps.get_model("surveys", "Statement")
    TemplateItem = apps.get_model("surveys", "TemplateItem")
    db = schema_editor.connection.alias
    if QuestionnaireTemplate.objects.using(db).filter(partnership=None, title__iexact=TITLE).exists():
        return
    template = QuestionnaireTemplate.objects.using(db).create(title=TITLE, description=DESCRIPTION)
    for position, (text, hint, kind, phase, required) in enumerate(STATEMENTS, start=1):
        statement = Statement.objects.using(db).create(family=uuid.uuid4(), version=1, kind=kind, text=text, hint=hint)
        TemplateItem.objects.using(db).create(
            template=template, statement=statement, position=position, phase=phase, required=required
        )


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [
        migrations.RunPython(create_default_template, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
