from django.contrib import admin

from projects.models import (
    DataPoint,
    LearningPoint,
    Measure,
    PdsaCycle,
    ProgressUpdate,
    Project,
    ProjectMode,
    ProjectPartner,
    StageChange,
)


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class ProjectModeInline(admin.TabularInline):
    model = ProjectMode
    extra = 0


class StageChangeInline(admin.TabularInline):
    """The timeline is written by `project_move_stage` only: read it here, do not edit it."""

    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "date", "changed_by", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "locality", "topic", "stage"]
    list_filter = ["stage", "topic", "partnership"]
    search_fields = ["title", "aim"]
    readonly_fields = ["stage"]
    filter_horizontal = ["sessions", "priorities"]
    inlines = [ProjectPartnerInline, ProjectModeInline, StageChangeInline]


class DataPointInline(admin.TabularInline):
    model = DataPoint
    extra = 0


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "direction"]
    search_fields = ["name", "project__title"]
    inlines = [DataPointInline]


admin.site.register([ProgressUpdate, LearningPoint, PdsaCycle])
