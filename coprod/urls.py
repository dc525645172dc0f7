from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from coprod import account_views, views
from coprod.forms import PasswordResetForm

# The admin opens only to a session that passed the second factor (the pattern django-two-factor-auth documents).
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", account_views.login_code, name="login-code"),
    path("accounts/two-factor/", account_views.two_factor, name="two-factor"),
    path("accounts/two-factor/setup/", account_views.two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/recovery-codes/", account_views.recovery_codes_new, name="two-factor-recovery-codes"),
    path("accounts/two-factor/remove/", account_views.two_factor_remove, name="two-factor-remove"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/login/", account_views.admin_login),
    path("admin/", admin.site.urls),
    path("partnerships/", views.partnership_list, name="partnership-list"),
    path("partnerships/new/", views.partnership_create, name="partnership-create"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership-detail"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership-edit"),
    path("partnerships/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("invitations/<int:pk>/", views.invitation, name="invitation"),
    path("partnerships/<int:pk>/members/<int:member_pk>/", views.member_edit, name="member-edit"),
    path("partnerships/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path("partnerships/<int:pk>/audit/", views.partnership_audit_trail, name="partnership-audit-trail"),
    path("partnerships/<int:pk>/<slug:kind>/", views.partnership_list_edit, name="partnership-list-edit"),
    path("audit/", views.audit_trail, name="audit-trail"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/two-factor/reset/", account_views.user_two_factor_reset, name="user-two-factor-reset"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("", include("workshops.urls")),
    path("", include("surveys.urls")),
    path("", include("projects.urls")),
]

handler500 = "coprod.errors.server_error"
