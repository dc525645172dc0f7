"""Fetch project objects for a user: another partnership's objects are a 404, a missing role a 403.

Partnership members read; leads and facilitators write; ALLIANCE staff read everything and write only where
they are members (all of which `check_partnership` decides).
"""

from django.shortcuts import get_object_or_404

from coprod.permissions import Need, check_partnership
from projects.models import DataPoint, Measure, MeasurePhase, PdsaCycle, Project


def get_project_for_user(request, pk, need=Need.READ):
    project = get_object_or_404(Project.objects.select_related("partnership", "locality"), pk=pk)
    check_partnership(request.user, project.partnership, need)
    return project


def get_pdsa_for_user(request, pk, need=Need.READ):
    cycle = get_object_or_404(PdsaCycle.objects.select_related("project__partnership"), pk=pk)
    check_partnership(request.user, cycle.project.partnership, need)
    return cycle


def get_measure_for_user(request, pk, need=Need.READ):
    measure = get_object_or_404(Measure.objects.select_related("project__partnership"), pk=pk)
    check_partnership(request.user, measure.project.partnership, need)
    return measure


def get_point_for_user(request, pk, need=Need.READ):
    point = get_object_or_404(DataPoint.objects.select_related("measure__project__partnership"), pk=pk)
    check_partnership(request.user, point.measure.project.partnership, need)
    return point


def get_phase_for_user(request, pk, need=Need.READ):
    phase = get_object_or_404(MeasurePhase.objects.select_related("measure__project__partnership"), pk=pk)
    check_partnership(request.user, phase.measure.project.partnership, need)
    return phase
