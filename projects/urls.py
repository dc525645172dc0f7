from django.urls import path

from projects.views import follow_up, measures, progress, records, registers, values

app_name = "projects"

urlpatterns = [
    # --- registers, export and summary (registers.py) ---
    path("projects/", registers.project_list, name="project-list"),
    path("projects/export.csv", registers.project_export, name="project-export"),
    path("projects/summary/", registers.project_summary, name="project-summary"),
    path("projects/partnership/<int:pk>/", registers.project_register, name="project-register"),
    path(
        "projects/partnership/<int:pk>/export.csv",
        registers.project_register_export,
        name="project-register-export",
    ),
    # --- a project: record, page, edit, partners, stage (records.py) ---
    path("projects/new/", records.project_create, name="project-create"),
    path("projects/<int:pk>/", records.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", records.project_edit, name="project-edit"),
    path("projects/<int:pk>/partners/", records.project_partners, name="project-partners"),
    path("projects/<int:pk>/stage/", records.project_stage, name="project-stage"),
    # --- progress: updates, learning points, PDSA cycles (progress.py) ---
    path("projects/<int:pk>/updates/new/", progress.update_add, name="update-add"),
    path("projects/<int:pk>/learning/new/", progress.learning_add, name="learning-add"),
    path("projects/<int:pk>/pdsa/new/", progress.pdsa_add, name="pdsa-add"),
    path("projects/pdsa/<int:pk>/edit/", progress.pdsa_edit, name="pdsa-edit"),
    # --- measures, data points and run charts (measures.py) ---
    path("projects/<int:pk>/measures/new/", measures.measure_add, name="measure-add"),
    path("projects/measures/<int:pk>/", measures.measure_detail, name="measure-detail"),
    path("projects/measures/<int:pk>/edit/", measures.measure_edit, name="measure-edit"),
    path("projects/measures/<int:pk>/points/", measures.point_add, name="point-add"),
    path("projects/points/<int:pk>/delete/", measures.point_delete, name="point-delete"),
    # --- many values at once: grid, paste, CSV (values.py) ---
    path("projects/measures/<int:pk>/values/", values.measure_values, name="measure-values"),
    path("projects/measures/<int:pk>/points.csv", values.measure_points_csv, name="measure-points-csv"),
    # --- a measure's chart: run or XmR, baseline, phases (measures.py) ---
    path("projects/measures/<int:pk>/chart/", measures.chart_settings, name="measure-chart"),
    path("projects/measures/<int:pk>/phases/", measures.phase_add, name="phase-add"),
    path("projects/phases/<int:pk>/remove/", measures.phase_remove, name="phase-remove"),
    # --- "Did it last?": six and twelve months after a project closed (follow_up.py) ---
    path("projects/<int:pk>/follow-up/<int:due>/", follow_up.follow_up_answer, name="follow-up"),
]
