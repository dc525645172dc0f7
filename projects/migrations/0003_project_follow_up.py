# Written by hand: "Did it last?" answers and the reminders sent for them (projects/follow_up.py).

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

DUE_CHOICES = [(6, "Six months after closing"), (12, "Twelve months after closing")]


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_measure_phases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectFollowUp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "due",
                    models.PositiveSmallIntegerField(choices=DUE_CHOICES, verbose_name="months after it closed"),
                ),
                ("due_on", models.DateField(verbose_name="asked from")),
                (
                    "outcome",
                    models.CharField(
                        choices=[("embedded", "Part of everyday work"), ("adapted", "Adapted"), ("stopped", "Stopped")],
                        max_length=10,
                        verbose_name="what became of it",
                    ),
                ),
                ("reason", models.TextField(verbose_name="why")),
                ("answered_at", models.DateTimeField()),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="follow_ups", to="projects.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "project follow-up",
                "ordering": ["due"],
                "constraints": [
                    models.UniqueConstraint(models.F("project"), models.F("due"), name="project_follow_up_once"),
                    models.CheckConstraint(
                        condition=models.Q(("due__in", [6, 12])), name="project_follow_up_due_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("outcome__in", ["embedded", "adapted", "stopped"])),
                        name="project_follow_up_outcome_valid",
                    ),
                    models.CheckConstraint(
                        condition=django.db.models.lookups.GreaterThan(
                            django.db.models.functions.text.Length(django.db.models.functions.text.Trim("reason")), 0
                        ),
                        name="project_follow_up_reason_not_blank",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FollowUpReminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("due", models.PositiveSmallIntegerField(choices=DUE_CHOICES)),
                ("due_on", models.DateField()),
                ("sent_at", models.DateTimeField()),
                ("recipients", models.PositiveSmallIntegerField(default=0)),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="projects.project"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        models.F("project"), models.F("due"), models.F("due_on"), name="follow_up_reminder_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("due__in", [6, 12])), name="follow_up_reminder_due_valid"
                    ),
                ],
            },
        ),
    ]
