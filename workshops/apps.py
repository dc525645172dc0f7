from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Sessions and programmes"

    def ready(self):
        from coprod import audit, panels
        from workshops import home
        from workshops.models import Attendance, Attendee, Programme, Session

        panels.register("home", 30, home.registers_to_mark)
        for model in (Programme, Session):
            panels.watch(model, "sessions")
        for model in (Attendee, Attendance):
            panels.watch(model, "registers")

        audit.register(Programme)
        audit.register(Session, m2m=["facilitators", "facilitating_organisations"])
        # Names, emails and organisations stay out of the trail, so erasure leaves nothing behind there.
        audit.register(
            Attendee, describe=lambda attendee: f"Attendee #{attendee.pk}", mask=["name", "email", "organisation"]
        )
        audit.register(
            Attendance,
            partnership=audit.via("session"),
            describe=lambda attendance: f"Attendee #{attendance.attendee_id} at {attendance.session}",
        )
