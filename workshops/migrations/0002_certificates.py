"""CPD certificates: a number anyone can check, the programme's signatory and the participant's reflective note."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import workshops.models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="signatory_name",
            field=models.CharField(
                blank=True,
                help_text="Printed under the signature line of each certificate.",
                max_length=200,
                verbose_name="signatory's name",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="signatory_role",
            field=models.CharField(
                blank=True,
                help_text="For example: Chief Officer, North Ayrshire HSCP.",
                max_length=200,
                verbose_name="signatory's role",
            ),
        ),
        migrations.CreateModel(
            name="Certificate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "number",
                    models.CharField(
                        default=workshops.models.certificate_number_new, editable=False, max_length=8, unique=True
                    ),
                ),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.TextField(blank=True, verbose_name="reflective note")),
                ("note_written_at", models.DateTimeField(blank=True, null=True)),
                ("note_key_hash", models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True)),
                ("note_link_sent_at", models.DateTimeField(blank=True, null=True)),
                ("note_link_expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "attendee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="certificates",
                        to="workshops.attendee",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="certificates",
                        to="workshops.programme",
                    ),
                ),
            ],
            options={
                "ordering": ["issued_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("programme"), models.F("attendee"), name="certificate_once_per_programme_and_attendee"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__regex", "^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")),
                        name="certificate_number_format",
                    ),
                ],
            },
        ),
    ]
