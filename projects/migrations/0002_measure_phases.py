"""A measure's chart: run chart or XmR, a baseline the user fixes, and phases started with a reason."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="chart_type",
            field=models.CharField(
                choices=[("run", "Run chart, IHI rules"), ("xmr", "XmR chart, Making Data Count rules")],
                default="run",
                max_length=10,
                verbose_name="chart",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="baseline_points",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="baseline: the first N values"),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(("chart_type__in", ["run", "xmr"])), name="measure_chart_type_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("baseline_points__isnull", True),
                    models.Q(("baseline_points__gte", 1), ("baseline_points__lte", 60)),
                    _connector="OR",
                ),
                name="measure_baseline_points_range",
            ),
        ),
        migrations.CreateModel(
            name="MeasurePhase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_on", models.DateField(verbose_name="the new phase starts on")),
                ("reason", models.CharField(max_length=200, verbose_name="what changed")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="phases", to="projects.measure"
                    ),
                ),
            ],
            options={
                "ordering": ["starts_on"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("measure"), models.F("starts_on"), name="measure_phase_one_per_date"
                    ),
                    models.CheckConstraint(
                        condition=django.db.models.lookups.GreaterThan(
                            django.db.models.functions.text.Length(django.db.models.functions.text.Trim("reason")), 0
                        ),
                        name="measure_phase_reason_not_blank",
                    ),
                ],
            },
        ),
    ]
