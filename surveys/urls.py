import os

from django.urls import path

from surveys.views import bench, board, dashboard, programmes, public, results, shared, surveys, templates

app_name = "surveys"

urlpatterns = [
    # --- the attendee's questionnaire: public, short, unguessable (public.py) ---
    path("s/<slug:token>/", public.survey_answer, name="survey-answer"),
    path("s/<slug:token>/kiosk/", public.survey_answer_kiosk, name="survey-kiosk"),
    path("q/", public.short_code_entry, name="short-code"),
    path("q/<str:code>/", public.survey_short, name="survey-short"),
    # --- a session's surveys (surveys.py) ---
    path("sessions/<int:pk>/questionnaires/", surveys.session_surveys, name="session-surveys"),
    path("sessions/<int:pk>/questionnaires/new/", surveys.survey_create, name="survey-create"),
    path(
        "sessions/<int:pk>/what-happened-next/publish/",
        surveys.what_happened_next_publish,
        name="what-happened-next-publish",
    ),
    path(
        "sessions/<int:pk>/what-happened-next/unpublish/",
        surveys.what_happened_next_unpublish,
        name="what-happened-next-unpublish",
    ),
    path("surveys/<int:pk>/edit/", surveys.survey_edit, name="survey-edit"),
    path("surveys/<int:pk>/open/", surveys.survey_open, name="survey-open"),
    path("surveys/<int:pk>/close/", surveys.survey_close, name="survey-close"),
    path("surveys/<int:pk>/reopen/", surveys.survey_reopen, name="survey-reopen"),
    path("surveys/<int:pk>/qr.svg", surveys.survey_qr, name="survey-qr"),
    path("surveys/<int:pk>/poster/", surveys.survey_poster, name="survey-poster"),
    path("surveys/<int:pk>/projector/", surveys.survey_projector, name="survey-projector"),
    path("surveys/<int:pk>/count/", surveys.survey_count, name="survey-count"),
    path("surveys/<int:pk>/paper/", surveys.survey_paper, name="survey-paper"),
    # --- results: a session's debrief, a partnership's, the national ones, and their exports (results.py) ---
    path("results/", results.results_home, name="results"),
    path("sessions/<int:pk>/results/", results.session_results, name="session-results"),
    path("sessions/<int:pk>/results.csv", results.session_results_download, {"fmt": "csv"}, name="session-results-csv"),
    path("sessions/<int:pk>/results.ods", results.session_results_download, {"fmt": "ods"}, name="session-results-ods"),
    path("sessions/<int:pk>/responses.csv", results.session_responses_csv, name="session-responses-csv"),
    path("results/partnerships/<int:pk>/", results.partnership_results, name="partnership-results"),
    path(
        "results/partnerships/<int:pk>/results.csv",
        results.partnership_results_download,
        {"fmt": "csv"},
        name="partnership-results-csv",
    ),
    path(
        "results/partnerships/<int:pk>/results.ods",
        results.partnership_results_download,
        {"fmt": "ods"},
        name="partnership-results-ods",
    ),
    path(
        "results/partnerships/<int:pk>/responses.csv",
        results.partnership_responses_csv,
        name="partnership-responses-csv",
    ),
    path("results/programmes/<int:pk>/", programmes.programme_results, name="programme-results"),
    path("results/programmes/<int:pk>/release/", programmes.programme_release, name="programme-release"),
    path(
        "results/programmes/<int:pk>/results.csv",
        programmes.programme_results_download,
        {"fmt": "csv"},
        name="programme-results-csv",
    ),
    path(
        "results/programmes/<int:pk>/results.ods",
        programmes.programme_results_download,
        {"fmt": "ods"},
        name="programme-results-ods",
    ),
    path(
        "results/programmes/<int:pk>/responses.csv",
        programmes.programme_responses_csv,
        name="programme-responses-csv",
    ),
    path("results/national/", results.national_results, name="national-results"),
    path(
        "results/national/results.csv", results.national_results_download, {"fmt": "csv"}, name="national-results-csv"
    ),
    path(
        "results/national/results.ods", results.national_results_download, {"fmt": "ods"}, name="national-results-ods"
    ),
    path("results/national/responses.csv", results.national_responses_csv, name="national-responses-csv"),
    # --- the dashboard: Scotland's, a partnership's beside it, and their figures (dashboard.py) ---
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/dashboard.csv", dashboard.dashboard_download, {"fmt": "csv"}, name="dashboard-csv"),
    path("dashboard/dashboard.ods", dashboard.dashboard_download, {"fmt": "ods"}, name="dashboard-ods"),
    path("dashboard/partnerships/<int:pk>/", dashboard.partnership_dashboard, name="partnership-dashboard"),
    path(
        "dashboard/partnerships/<int:pk>/dashboard.csv",
        dashboard.partnership_dashboard_download,
        {"fmt": "csv"},
        name="partnership-dashboard-csv",
    ),
    path(
        "dashboard/partnerships/<int:pk>/dashboard.ods",
        dashboard.partnership_dashboard_download,
        {"fmt": "ods"},
        name="partnership-dashboard-ods",
    ),
    # --- read-only links to a results or dashboard page (shared.py) ---
    path("shared/<slug:token>/", shared.shared_view, name="shared-view"),
    path("shared-links/", shared.national_shared_links, name="national-shared-links"),
    path("shared-links/new/", shared.shared_link_create, name="shared-link-create"),
    path("shared-links/<int:pk>/revoke/", shared.shared_link_revoke, name="shared-link-revoke"),
    path("results/partnerships/<int:pk>/shared-links/", shared.shared_links, name="shared-links"),
    # --- board papers: a partnership's period for its board (board.py) ---
    path("board-papers/partnerships/<int:pk>/", board.board_paper_list, name="board-paper-list"),
    path("board-papers/partnerships/<int:pk>/new/", board.board_paper_create, name="board-paper-create"),
    path("board-papers/<int:pk>/", board.board_paper_detail, name="board-paper"),
    path("board-papers/<int:pk>/edit/", board.board_paper_edit, name="board-paper-edit"),
    # --- questionnaire templates (templates.py) ---
    path("questionnaires/", templates.template_list, name="template-list"),
    path("questionnaires/new/", templates.template_create, name="template-create"),
    path("questionnaires/<int:pk>/", templates.template_detail, name="template-detail"),
    path("questionnaires/<int:pk>/edit/", templates.template_edit, name="template-edit"),
    path("questionnaires/<int:pk>/copy/", templates.template_copy, name="template-copy"),
    path("questionnaires/<int:pk>/statements/new/", templates.template_item_add, name="template-item-add"),
    path(
        "questionnaires/<int:pk>/statements/<int:item_pk>/edit/",
        templates.template_item_edit,
        name="template-item-edit",
    ),
    path(
        "questionnaires/<int:pk>/statements/<int:item_pk>/remove/",
        templates.template_item_remove,
        name="template-item-remove",
    ),
]

if os.environ.get("BENCH_BARE_VIEW") == "1":  # bench/load_survey.py's yardstick, never in production
    urlpatterns.append(path("bench/bare/", bench.bare))
