from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from coprod.models import ContextFigure, Locality, Membership, Organisation, Partnership, Priority, User


@admin.register(User)
class CoprodUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("CoProd", {"fields": ["is_alliance_staff"]}),)
    list_display = ["username", "email", "first_name", "last_name", "is_alliance_staff", "is_staff"]
    list_filter = ["is_alliance_staff", "is_staff", "is_active"]


class LocalityInline(admin.TabularInline):
    model = Locality
    extra = 0


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


class ContextFigureInline(admin.TabularInline):
    model = ContextFigure
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "council_area"]
    search_fields = ["name", "council_area"]
    inlines = [LocalityInline, PriorityInline, ContextFigureInline, MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "is_alliance_member"]
    list_filter = ["sector", "is_alliance_member"]
    search_fields = ["name"]
    filter_horizontal = ["partnerships"]
