import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, ProtectedError, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from coprod import audit, panels, services
from coprod.forms import (
    AuditFilterForm,
    ContextFigureFormSet,
    LocalityFormSet,
    MemberAddForm,
    MemberRoleForm,
    OrganisationCreateForm,
    OrganisationFilterForm,
    OrganisationForm,
    PartnershipCreateForm,
    PartnershipFilterForm,
    PartnershipForm,
    PriorityFormSet,
    UserFilterForm,
    UserForm,
    UserInviteForm,
)
from coprod.models import Invitation, Membership, Organisation, Partnership, Role
from coprod.permissions import (
    Need,
    can,
    can_edit_organisation,
    get_invitation_for_user,
    get_organisation_for_user,
    get_partnership_for_user,
    organisation_partnerships,
    require_alliance_staff,
)

PAGE_SIZE = 25


@dataclass
class Home:
    """Whose home page it is, and when: worked out once by `home`, read by every app's home panels (coprod.panels).

    `roles` holds the user's memberships, {Partnership: Role}; `now` is Europe/London time.
    """

    user: object
    now: datetime.datetime
    roles: dict = field(default_factory=dict)

    @property
    def today(self):
        return self.now.date()

    def _with(self, *roles):
        return [partnership for partnership, role in self.roles.items() if role in roles]

    @property
    def leads(self):
        """Where the user is a lead: every session, questionnaire, register and project there is theirs to run."""
        return self._with(Role.LEAD)

    @property
    def facilitates(self):
        """Where the user is a facilitator: the sessions they facilitate (or logged) are theirs to run."""
        return self._with(Role.FACILITATOR)

    @property
    def writers(self):
        return self._with(Role.LEAD, Role.FACILITATOR)

    @property
    def viewers(self):
        return self._with(Role.VIEWER)

    @property
    def readers(self):
        return list(self.roles)

    @property
    def several(self):
        """Rows name their partnership only where the user has more than one."""
        return len(self.roles) > 1


def home(request):
    """Each person's day's work, from the panels the apps register; the national dashboard for ALLIANCE staff."""
    if not request.user.is_authenticated:
        return render(request, "coprod/welcome.html")
    if request.user.is_alliance_staff:
        return redirect("surveys:dashboard")
    role = Membership.objects.filter(user=request.user, partnership=OuterRef("pk")).values("role")[:1]
    partnerships = list(Partnership.objects.visible_to(request.user).for_list().annotate(role=Subquery(role)))
    for partnership in partnerships:
        partnership.role_label = Role(partnership.role).label
    page = Home(
        user=request.user,
        now=timezone.localtime(),
        roles={partnership: partnership.role for partnership in partnerships},
    )
    invitations = list(Invitation.objects.filter(user=request.user).select_related("partnership"))
    return render(
        request,
        "coprod/home.html",
        {
            "partnerships": partnerships,
            "home": page,
            "panels": panels.build("home", home=page),
            "invitations": invitations,
        },
    )


@login_required
def partnership_list(request):
    filters = PartnershipFilterForm(request.GET)
    partnerships = Partnership.objects.visible_to(request.user).for_list()
    if filters.is_valid() and filters.cleaned_data["q"]:
        q = filters.cleaned_data["q"]
        partnerships = partnerships.filter(Q(name__icontains=q) | Q(council_area__icontains=q))
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coprod/partnership_list.html",
        {"filters": filters, "page": page, "partnerships": list(page)},
    )


@login_required
def partnership_create(request):
    require_alliance_staff(request.user)
    form = PartnershipCreateForm(request.POST or None)
    if form.is_valid():
        messages.success(request, "Partnership created. Now add its localities and its lead.")
        return services.save_once(request=request, key=form.cleaned_data["submission_key"], save=form.save)
    return render(request, "coprod/form_page.html", {"form": form, "title": "New partnership"})


@login_required
def partnership_detail(request, pk):
    partnership = get_partnership_for_user(request, pk)
    memberships = list(partnership.memberships.select_related("user"))
    return render(
        request,
        "coprod/partnership_detail.html",
        {
            "partnership": partnership,
            "localities": list(partnership.localities.all()),
            "priorities": list(partnership.priorities.all()),
            "figures": list(partnership.context_figures.all()),
            "memberships": memberships,
            "can_manage": can(request.user, partnership, Need.MANAGE),
            "member_form": MemberAddForm(),
        },
    )


@login_required
def partnership_edit(request, pk):
    partnership = get_partnership_for_user(request, pk, Need.MANAGE)
    form = PartnershipForm(request.POST or None, instance=partnership)
    if form.is_valid():
        form.save()
        messages.success(request, "Partnership details saved.")
        return redirect(partnership)
    return render(
        request,
        "coprod/form_page.html",
        {
            "form": form,
            "title": f"Edit {partnership}",
            "partnership": partnership,
            "cancel_url": partnership.get_absolute_url(),
        },
    )


PARTNERSHIP_LISTS = {
    "localities": (LocalityFormSet, "Localities", "Add, rename or remove the partnership's localities."),
    "priorities": (
        PriorityFormSet,
        "Strategic plan priorities",
        "The priorities of the strategic plan, in order. Improvement projects link to them.",
    ),
    "figures": (
        ContextFigureFormSet,
        "Context figures",
        "Figures that describe the partnership's population, each with its published source.",
    ),
}


@login_required
def partnership_list_edit(request, pk, kind):
    """One page for each of the partnership's lists: localities, priorities and context figures."""
    if kind not in PARTNERSHIP_LISTS:
        raise Http404
    partnership = get_partnership_for_user(request, pk, Need.MANAGE)
    formset_class, title, intro = PARTNERSHIP_LISTS[kind]
    formset = formset_class(request.POST or None, instance=partnership, prefix=kind)
    if formset.is_valid():
        try:
            formset.save()
        except ProtectedError:
            formset._non_form_errors = formset.error_class(
                ["A locality in use by sessions or projects cannot be removed: rename it instead."]
            )
        else:
            messages.success(request, f"{title} saved.")
            return redirect(partnership)
    return render(
        request,
        "coprod/partnership_list_edit.html",
        {"partnership": partnership, "formset": formset, "title": title, "intro": intro},
    )


@login_required
def invitation(request, pk):
    """The invited person accepts or declines; an invitation is nobody else's business (404)."""
    invitation = get_invitation_for_user(request, pk)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            services.invitation_answer(invitation=invitation, accept=accept)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("home")
        if accept:
            messages.success(request, f"You are now a member of {invitation.partnership}.")
            return redirect(invitation.partnership)
        messages.success(request, f"Invitation to {invitation.partnership} declined.")
        return redirect("home")
    return render(request, "coprod/invitation.html", {"invitation": invitation})


@login_required
@require_POST
def member_add(request, pk):
    partnership = get_partnership_for_user(request, pk, Need.MANAGE)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.membership_add(
                partnership=partnership, request=request, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            # What the lead typed, never the account's stored name: an email is not a way to look people up.
            email, role = form.cleaned_data["email"], Role(form.cleaned_data["role"]).label.lower()
            if added.invitation:
                messages.success(request, f"Invitation sent to {email}: they join as {role} once they accept it.")
            else:
                messages.success(request, f"{email} added as {role}, and emailed a link to set a password.")
            return redirect(partnership)
    return render(
        request,
        "coprod/form_page.html",
        {
            "form": form,
            "title": f"Add a member to {partnership}",
            "partnership": partnership,
            "cancel_url": partnership.get_absolute_url(),
        },
    )


def _get_membership(request, pk, member_pk):
    partnership = get_partnership_for_user(request, pk, Need.MANAGE)
    return get_object_or_404(
        Membership.objects.select_related("user", "partnership"), pk=member_pk, partnership=partnership
    )


@login_required
def member_edit(request, pk, member_pk):
    membership = _get_membership(request, pk, member_pk)
    form = MemberRoleForm(request.POST or None, initial={"role": membership.role})
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error("role", error)
        else:
            messages.success(request, f"{membership.user}'s role changed.")
            return redirect(membership.partnership)
    return render(
        request,
        "coprod/member_edit.html",
        {"form": form, "membership": membership, "partnership": membership.partnership},
    )


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    membership = _get_membership(request, pk, member_pk)
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{membership.user} removed from {membership.partnership}.")
    return redirect(membership.partnership)


@login_required
def user_list(request):
    require_alliance_staff(request.user)
    filters = UserFilterForm(request.GET)
    users = (
        get_user_model()
        .objects.prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("partnership").order_by("partnership__name")
            )
        )
        .order_by("last_name", "first_name", "username")
    )
    if filters.is_valid() and filters.cleaned_data["q"]:
        q = filters.cleaned_data["q"]
        users = users.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q) | Q(username__icontains=q)
        )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coprod/user_list.html", {"filters": filters, "page": page, "users": list(page)})


@login_required
def user_create(request):
    require_alliance_staff(request.user)
    form = UserInviteForm(request.POST or None)
    if form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "submission_key"}
        messages.success(request, "User created. They have been emailed a link to choose their password.")
        return services.save_once(
            request=request,
            key=form.cleaned_data["submission_key"],
            save=lambda: services.user_create(request=request, **data),
        )
    return render(
        request, "coprod/form_page.html", {"form": form, "title": "New user", "cancel_url": reverse("user-list")}
    )


@login_required
def user_edit(request, pk):
    require_alliance_staff(request.user)
    user = get_object_or_404(get_user_model(), pk=pk)
    form = UserForm(request.POST or None, instance=user, editor=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, f"{user} saved.")
        return redirect("user-list")
    return render(
        request,
        "coprod/user_edit.html",
        {
            "form": form,
            "title": f"Edit {user}",
            "cancel_url": reverse("user-list"),
            "person": user,
            "two_factor_on": user_has_device(user),
        },
    )


@login_required
def organisation_list(request):
    filters = OrganisationFilterForm(request.GET, partnerships=Partnership.objects.order_by("name"))
    organisations = Organisation.objects.for_list()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            organisations = organisations.filter(name__icontains=data["q"])
        if data["sector"]:
            organisations = organisations.filter(sector=data["sector"])
        if data["partnership"]:
            organisations = organisations.filter(partnerships=data["partnership"])
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coprod/organisation_list.html",
        {
            "filters": filters,
            "page": page,
            "organisations": list(page),
            "can_create": organisation_partnerships(request.user).exists(),
        },
    )


@login_required
def organisation_detail(request, pk):
    organisation = get_organisation_for_user(request, pk)
    return render(
        request,
        "coprod/organisation_detail.html",
        {
            "organisation": organisation,
            "partnerships": list(organisation.partnerships.order_by("name")),
            "can_edit": can_edit_organisation(request.user, organisation),
        },
    )


@login_required
def organisation_create(request):
    partnerships = organisation_partnerships(request.user)
    if not partnerships.exists():
        raise PermissionDenied
    form = OrganisationCreateForm(request.POST or None, partnerships=partnerships)
    if form.is_valid():
        messages.success(request, "Organisation added to the register.")
        return services.save_once(request=request, key=form.cleaned_data["submission_key"], save=form.save)
    return render(
        request,
        "coprod/form_page.html",
        {"form": form, "title": "New organisation", "cancel_url": reverse("organisation-list")},
    )


@login_required
def organisation_edit(request, pk):
    organisation = get_organisation_for_user(request, pk, write=True)
    partnerships = organisation_partnerships(request.user)
    form = OrganisationForm(request.POST or None, instance=organisation, partnerships=partnerships)
    if form.is_valid():
        form.save()
        messages.success(request, "Organisation saved.")
        return redirect(organisation)
    return render(
        request,
        "coprod/form_page.html",
        {"form": form, "title": f"Edit {organisation}", "cancel_url": organisation.get_absolute_url()},
    )


def _render_audit_trail(request, *, partnership):
    filters = AuditFilterForm(request.GET or None, kinds=audit.entry_types())
    if not filters.is_bound:
        entries = audit.entries(partnership=partnership)
    elif filters.is_valid():
        entries = audit.entries(partnership=partnership, **filters.cleaned_data)
    else:
        entries = audit.entries(partnership=partnership).none()  # the form says why
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coprod/audit_trail.html",
        {"partnership": partnership, "filters": filters, "page": page, "rows": audit.rows(page)},
    )


@login_required
def audit_trail(request):
    """Every change and export, across partnerships: for ALLIANCE staff."""
    require_alliance_staff(request.user)
    return _render_audit_trail(request, partnership=None)


@login_required
def partnership_audit_trail(request, pk):
    """The partnership's changes and exports: for its leads (and ALLIANCE staff)."""
    partnership = get_partnership_for_user(request, pk, Need.MANAGE)
    return _render_audit_trail(request, partnership=partnership)
