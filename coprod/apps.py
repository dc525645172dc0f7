from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save


class CoprodConfig(AppConfig):
    name = "coprod"
    verbose_name = "CoProd core"

    def ready(self):
        from coprod import checks, lookups, signals  # noqa: F401 (checks registers itself)
        from coprod.middleware import stamp_session

        user_logged_in.connect(stamp_session, dispatch_uid="coprod_stamp_session")
        signals.connect()
        lookups.register()
        self.register_audit()
        self.register_panels()

    def register_panels(self):
        from coprod import panels
        from coprod.models import Locality, Organisation, Partnership

        for model in (Partnership, Locality):
            panels.watch(model, "sessions")
        panels.watch(Organisation, "projects")  # its sector: whether a project is multi-agency

    def register_audit(self):
        from coprod import audit
        from coprod.models import (
            ContextFigure,
            Invitation,
            Locality,
            Membership,
            Organisation,
            Partnership,
            Priority,
            User,
        )

        pre_save.connect(audit.name_the_request, sender=audit.AuditEntry, dispatch_uid="coprod_audit_request")
        audit.register(Partnership, partnership=lambda partnership: partnership.pk)
        for model in (Locality, Priority, ContextFigure, Membership, Invitation):
            audit.register(model)
        audit.register(Organisation, partnership=lambda organisation: None, m2m=["partnerships"])  # national
        # Who may sign in and as what; never the password hash or the last login.
        account = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"]
        audit.register(User, partnership=lambda user: None, fields=[*account, "is_alliance_staff"])
