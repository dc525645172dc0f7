"""Read-mostly admin: questionnaires are changed through the app, whose services keep statement versions."""

from django.contrib import admin

from surveys.models import QuestionnaireTemplate, Response, Statement, Survey


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "based_on"]
    list_filter = ["partnership"]
    search_fields = ["title"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Wording is immutable here: a new version is made in the app, so answers keep the words they answered."""

    list_display = ["text", "version", "kind", "partnership"]
    list_filter = ["kind", "partnership"]
    search_fields = ["text"]
    readonly_fields = ["family", "version", "kind", "text", "hint", "partnership", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["session", "phase", "opens_at", "closes_at", "closed_at"]
    list_select_related = ["session"]
    list_filter = ["phase"]
    readonly_fields = ["session", "phase", "template", "token", "closed_at"]
    search_fields = ["session__title"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Responses are anonymous research data: visible for support, never editable."""

    list_display = ["id", "survey", "source", "submitted_on"]
    list_select_related = ["survey__session"]
    list_filter = ["source", "submitted_on"]
    # The pairing code is what the attendee kept to link their two answers: whoever holds both could tell whose
    # answers these are. Support never needs it.
    exclude = ["pairing_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Results count every stored response (surveys.rollups): a deletion here would leave them out of step.
        return False
