"""Each survey's short code, for the typeable address /q/<code>/: drawn for the surveys that exist, then required."""

import secrets

from django.db import migrations, models

import surveys.models

# As when this migration was written (surveys.models may change later).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8


def draw_short_codes(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    used = set()
    for survey in Survey.objects.filter(short_code__isnull=True).only("pk"):
        code = ""
        while not code or code in used:
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        used.add(code)
        Survey.objects.filter(pk=survey.pk).update(short_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_rollup_paired_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="short_code",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(draw_short_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="survey",
            name="short_code",
            field=models.CharField(default=surveys.models.new_short_code, editable=False, max_length=8, unique=True),
        ),
        migrations.AddConstraint(
            model_name="survey",
            constraint=models.CheckConstraint(
                condition=models.Q(("short_code__regex", "^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")),
                name="survey_short_code_format",
            ),
        ),
    ]
