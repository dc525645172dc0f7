from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Improvement projects"

    def ready(self):
        from coprod import audit, panels
        from projects import home, models

        panels.register("home", 50, home.follow_up)
        panels.register("home", 60, home.latest_projects)

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
        audit.register(models.MeasurePhase, partnership=audit.via("measure", "project"))  # how the data is judged
        audit.register(models.ProjectFollowUp, partnership=audit.via("project"))  # "Did it last?": edits kept
        self.register_dashboard()

    def register_dashboard(self):
        from coprod import panels
        from projects import dashboard
        from projects.models import Project, ProjectFollowUp, ProjectMode, ProjectPartner

        panels.register("dashboard", 30, dashboard.outcomes, reads=("sessions", "projects"))
        for model in (Project, ProjectPartner, ProjectMode, ProjectFollowUp, Project.sessions.through):
            panels.watch(model, "projects")
