"""Who may do what, in one place.

Every view fetches its objects through a helper here or in an app's permissions.py, all of which end in
`check_partnership`: outsiders get a 404 (an id of another partnership is never confirmed to exist),
members without the needed role a 403. Anonymous users never get this far: views are login_required.
"""

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from coprod.models import Invitation, Membership, Organisation, Partnership, Role


class Need(IntEnum):
    READ = 1  # any member; ALLIANCE staff
    WRITE = 2  # leads and facilitators: sessions, attendance, projects
    MANAGE = 3  # leads: the partnership itself and its members; ALLIANCE staff may too


ROLE_GRANTS = {Role.VIEWER: Need.READ, Role.FACILITATOR: Need.WRITE, Role.LEAD: Need.MANAGE}


def role_in(user, partnership):
    """The user's role in the partnership, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, partnership=partnership).values_list("role", flat=True).first()


def check_partnership(user, partnership, need=Need.READ):
    """Raise 404 for outsiders and 403 for members who lack the need; return the user's role."""
    role = role_in(user, partnership)
    alliance = user.is_authenticated and user.is_alliance_staff
    if role is None and not alliance:
        raise Http404("No such page.")
    if alliance and need == Need.MANAGE:
        return role  # ALLIANCE staff set partnerships up and appoint their leads
    # ALLIANCE staff read every partnership but write sessions and projects only where they are members.
    if (ROLE_GRANTS[role] if role else Need.READ) < need:
        raise PermissionDenied
    return role


def can(user, partnership, need):
    try:
        check_partnership(user, partnership, need)
    except (Http404, PermissionDenied):
        return False
    return True


def get_partnership_for_user(request, pk, need=Need.READ):
    partnership = get_object_or_404(Partnership, pk=pk)
    check_partnership(request.user, partnership, need)
    return partnership


def writable_partnerships(user):
    """Where the user may log sessions, keep registers and record projects: as a lead or facilitator.

    ALLIANCE staff are no exception: they read everywhere but write only where they are members.
    """
    return Partnership.objects.filter(
        memberships__user=user, memberships__role__in=[Role.LEAD, Role.FACILITATOR]
    ).order_by("name")


def organisation_partnerships(user):
    """The partnerships a user may link organisations to: ALLIANCE staff manage the whole register."""
    return Partnership.objects.order_by("name") if user.is_alliance_staff else writable_partnerships(user)


def require_alliance_staff(user):
    if not user.is_alliance_staff:
        raise PermissionDenied


def get_organisation_for_user(request, pk, write=False):
    """The organisation register is shared nationally: every signed-in user reads it.

    Editing is for ALLIANCE staff and for leads and facilitators of a partnership the organisation
    works in (or of any partnership, while it works in none yet).
    """
    organisation = get_object_or_404(Organisation, pk=pk)
    if write and not can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    return organisation


def get_invitation_for_user(request, pk):
    """An invitation is its invitee's alone: anyone else, the partnership's own lead included, gets a 404."""
    return get_object_or_404(Invitation.objects.select_related("partnership"), pk=pk, user=request.user)


def can_edit_organisation(user, organisation):
    if user.is_alliance_staff:
        return True
    mine = writable_partnerships(user)
    if not mine.exists():
        return False
    theirs = organisation.partnerships.all()
    return not theirs.exists() or theirs.filter(pk__in=mine.values("pk")).exists()


def two_factor_required(user):
    """ALLIANCE staff, partnership leads and whoever can open the admin must sign in with a second factor."""
    return (
        user.is_alliance_staff
        or user.is_staff
        or user.is_superuser
        or Membership.objects.filter(user=user, role=Role.LEAD).exists()
    )
