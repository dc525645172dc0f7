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
        from surveys.models import QuestionnaireTemplate, Statement, Survey, TemplateItem

        panels.register("home", 10, home.today_and_next)
        panels.register("home", 20, home.still_open)
        panels.register("home", 40, home.latest_results)

        audit.register(QuestionnaireTemplate)
        audit.register(Statement)
        audit.register(TemplateItem, partnership=audit.via("template"))
        audit.register(Survey, partnership=audit.via("session"), exclude=["token"])
        self.register_dashboard()

    def register_dashboard(self):
        from coprod import panels
        from surveys import dashboard

        panels.register("dashboard", 10, dashboard.activity)
        panels.register("dashboard", 20, dashboard.outcomes)
