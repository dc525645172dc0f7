"""Fetch workshop objects for a user: another partnership's objects are a 404, a missing role a 403."""

from django.shortcuts import get_object_or_404

from coprod.permissions import Need, check_partnership
from workshops.models import Attendee, Programme, Session


def get_session_for_user(request, pk, need=Need.READ):
    session = get_object_or_404(Session.objects.select_related("partnership", "locality", "programme"), pk=pk)
    check_partnership(request.user, session.partnership, need)
    return session


def get_programme_for_user(request, pk, need=Need.READ):
    programme = get_object_or_404(Programme.objects.select_related("partnership", "facilitating_organisation"), pk=pk)
    check_partnership(request.user, programme.partnership, need)
    return programme


def get_attendee_for_user(request, pk, need=Need.READ):
    attendee = get_object_or_404(Attendee.objects.select_related("partnership", "organisation"), pk=pk)
    check_partnership(request.user, attendee.partnership, need)
    return attendee
