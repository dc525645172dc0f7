from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "Questionnaires"

    def ready(self):
        # Responses and answers are never audited: anonymous by construction, they must leave no trace here.
        # A survey's token is its public address: a secret, kept out of the trail.
        from coprod import audit
        from surveys.models import QuestionnaireTemplate, Statement, Survey, TemplateItem

        audit.register(QuestionnaireTemplate)
        audit.register(Statement)
        audit.register(TemplateItem, partnership=audit.via("template"))
        audit.register(Survey, partnership=audit.via("session"), exclude=["token"])
