from django.urls import path

from workshops.views import attendance, certificates, programmes, sessions

app_name = "workshops"

urlpatterns = [
    # --- sessions and attendance register (sessions.py, attendance.py) ---
    path("sessions/", sessions.session_list, name="session-list"),
    path("sessions/new/", sessions.session_create, name="session-create"),
    path("sessions/register-template.csv", attendance.bulk_register_template, name="bulk-register-template"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session-edit"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/attendees/add/", attendance.attendee_add, name="attendee-add"),
    path("sessions/<int:pk>/attendees/upload/", attendance.bulk_register, name="bulk-register"),
    path("sessions/<int:pk>/attendance/<int:attendance_pk>/mark/", attendance.attendance_mark, name="attendance-mark"),
    path(
        "sessions/<int:pk>/attendance/<int:attendance_pk>/remove/",
        attendance.attendance_remove,
        name="attendance-remove",
    ),
    path("attendees/", attendance.attendee_list, name="attendee-list"),
    path("attendees/<int:pk>/", attendance.attendee_detail, name="attendee-detail"),
    path("attendees/<int:pk>/edit/", attendance.attendee_edit, name="attendee-edit"),
    path("attendees/<int:pk>/merge/", attendance.attendee_merge, name="attendee-merge"),
    path("attendees/<int:pk>/erase/", attendance.attendee_erase, name="attendee-erase"),
    # --- programmes and CPD certificates (programmes.py) ---
    path("programmes/", programmes.programme_list, name="programme-list"),
    path("programmes/new/", programmes.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", programmes.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/certificates/", programmes.certificates_all, name="certificates-all"),
    path("programmes/<int:pk>/certificates/<int:attendee_pk>/", programmes.certificate, name="certificate"),
    path("programmes/<int:pk>/certificates/send/", programmes.certificates_send, name="certificates-send"),
    # --- public: the participant's note (a private emailed link) and the check of a number (certificates.py) ---
    path("certificates/note/", certificates.certificate_note, name="certificate-note"),
    path("certificates/check/", certificates.certificate_check, name="certificate-check"),
]
