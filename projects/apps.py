from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Improvement projects"

    def ready(self):
        from coprod import audit
        from projects import models

        audit.register(models.Project, m2m=["sessions", "priorities"])
        for model in (
            models.ProjectPartner,
            models.ProjectMode,
            models.StageChange,
            models.ProgressUpdate,
            models.LearningPoint,
            models.PdsaCycle,
            models.Measure,
        ):
            audit.register(model, partnership=audit.via("project"))
        audit.register(models.DataPoint, partnership=audit.via("measure", "project"))
