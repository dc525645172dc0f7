from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "Questionnaires"

    def ready(self):
        # Responses and answers are never audited: anonymous by construction, they must leave no trace here.
        # A survey's token is its public address: a secret, kept out of the trail.
        from coprod import audit, panels
        from surveys import home
        from surveys.models import (
            BoardPaper,
            QuestionnaireTemplate,
            SharedLink,
            Statement,
            Survey,
            TemplateItem,
            WhatHappenedNext,
        )

        panels.register("home", 10, home.today_and_next)
        panels.register("home", 20, home.still_open)
        panels.register("home", 40, home.latest_results)

        audit.register(QuestionnaireTemplate)
        audit.register(Statement)
        audit.register(TemplateItem, partnership=audit.via("template"))
        audit.register(Survey, partnership=audit.via("session"), exclude=["token"])
        audit.register(WhatHappenedNext, partnership=audit.via("session"))  # published and unpublished
        audit.register(BoardPaper)  # made and edited: the lead's assessment and recommendation
        audit.register(SharedLink, exclude=["token_hash"])  # made and revoked; each view: audit.view_record

        from django.db.models.signals import post_save

        from surveys.signals import close_when_cancelled
        from workshops.models import Session

        post_save.connect(close_when_cancelled, sender=Session, dispatch_uid="surveys_close_when_cancelled")
        self.register_dashboard()

    def register_dashboard(self):
        from coprod import panels
        from surveys import dashboard
        from surveys.models import QuestionnaireTemplate, Statement, Survey, SurveyItem, TemplateItem

        panels.register("dashboard", 10, dashboard.activity, reads=("sessions", "registers", "answers"))
        panels.register("dashboard", 20, dashboard.outcomes, reads=("sessions", "answers"))
        # Answers change the figures only once released, and a released questionnaire takes no more (the clock
        # that releases one is in the dashboard's key): submissions leave the panels be.
        for model in (QuestionnaireTemplate, Statement, TemplateItem, Survey, SurveyItem):
            panels.watch(model, "answers")
