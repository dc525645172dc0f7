"""Writes that carry a rule. Each one checks everything before it writes, inside one transaction, so a
refused request leaves nothing half-saved; database constraints back the rules that can be."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import (
    MAX_BASELINE_POINTS,
    STAGE_ORDER,
    ChartType,
    DataPoint,
    LearningPoint,
    Measure,
    MeasurePhase,
    PdsaCycle,
    ProgressUpdate,
    Project,
    ProjectMode,
    ProjectPartner,
    Stage,
    StageChange,
    StarMode,
)
from projects.paste import format_value, say_date

AIM_MISSING = "Write the aim statement: what will improve, for whom, by how much and by when."
PROJECT_FIELDS = [
    "title",
    "topic",
    "topic_other",
    "aim",
    "locality",
    "people_involved_count",
    "people_involved_how",
    "shown_to_attendees",
]


def _names(objects):
    return ", ".join(str(item) for item in objects)


def _check_project(*, partnership, project=None, title, topic, topic_other, aim, locality, sessions, priorities):
    """Every rule of a project record at once, so the user sees all that is wrong in one go."""
    errors = {}
    if not title.strip():
        errors["title"] = "Give the project a title."
    else:
        same = partnership.projects.filter(title__iexact=title.strip())
        if project is not None:
            same = same.exclude(pk=project.pk)
        if same.exists():
            errors["title"] = f"{partnership} already has a project called “{title.strip()}”."
    if not aim.strip():
        errors["aim"] = AIM_MISSING
    if topic == "other" and not topic_other.strip():
        errors["topic_other"] = "Name the topic, since it is not one of the list."
    if locality is not None and locality.partnership_id != partnership.pk:
        errors["locality"] = f"{locality} is not a locality of {partnership}."
    foreign = [session for session in sessions if session.partnership_id != partnership.pk]
    if foreign:
        errors["sessions"] = f"Not a session of {partnership}: {_names(foreign)}."
    foreign = [priority for priority in priorities if priority.partnership_id != partnership.pk]
    if foreign:
        errors["priorities"] = f"Not a priority of {partnership}'s strategic plan: {_names(foreign)}."
    if errors:
        raise ValidationError(errors)


def _check_modes(modes):
    unknown = set(modes) - set(StarMode.values)
    if unknown:
        raise ValidationError(f"Unknown Co-production Star modes: {', '.join(sorted(unknown))}.")


def _set_modes(project, modes):
    """`modes` maps a Co-production Star mode to a line on how the project uses it; no line, not used."""
    wanted = {mode: how.strip() for mode, how in modes.items() if how and how.strip()}
    project.modes.exclude(mode__in=wanted).delete()
    existing = {row.mode: row for row in project.modes.all()}
    for mode in StarMode.values:  # in the Star's order, so the page lists them the same way
        if mode not in wanted:
            continue
        row = existing.get(mode)
        if row is None:
            ProjectMode.objects.create(project=project, mode=mode, how=wanted[mode])
        elif row.how != wanted[mode]:
            row.how = wanted[mode]
            row.save(update_fields=["how"])


@transaction.atomic
def project_create(
    *,
    partnership,
    user,
    title,
    topic,
    aim,
    topic_other="",
    locality=None,
    sessions=(),
    priorities=(),
    people_involved_count=0,
    people_involved_how="",
    shown_to_attendees=False,
    modes=None,
    started_on=None,
):
    """Record a project at the idea stage; its timeline starts on `started_on` (today by default)."""
    sessions, priorities, modes = list(sessions), list(priorities), modes or {}
    _check_project(
        partnership=partnership,
        title=title,
        topic=topic,
        topic_other=topic_other,
        aim=aim,
        locality=locality,
        sessions=sessions,
        priorities=priorities,
    )
    _check_modes(modes)
    project = Project.objects.create(
        partnership=partnership,
        title=title.strip(),
        topic=topic,
        topic_other=topic_other.strip() if topic == "other" else "",
        aim=aim.strip(),
        locality=locality,
        people_involved_count=people_involved_count or 0,
        people_involved_how=people_involved_how.strip(),
        shown_to_attendees=shown_to_attendees,
        created_by=user,
    )
    project.sessions.set(sessions)
    project.priorities.set(priorities)
    _set_modes(project, modes)
    StageChange.objects.create(
        project=project, from_stage="", to_stage=Stage.IDEA, date=started_on or timezone.localdate(), changed_by=user
    )
    return project


@transaction.atomic
def project_update(
    *,
    project,
    title,
    topic,
    aim,
    topic_other="",
    locality=None,
    sessions=(),
    priorities=(),
    people_involved_count=0,
    people_involved_how="",
    shown_to_attendees=False,
    modes=None,
):
    """Edit the record (not its stage: that is `project_move_stage`, which keeps the timeline)."""
    sessions, priorities, modes = list(sessions), list(priorities), modes or {}
    _check_project(
        partnership=project.partnership,
        project=project,
        title=title,
        topic=topic,
        topic_other=topic_other,
        aim=aim,
        locality=locality,
        sessions=sessions,
        priorities=priorities,
    )
    _check_modes(modes)
    project.title = title.strip()
    project.topic = topic
    project.topic_other = topic_other.strip() if topic == "other" else ""
    project.aim = aim.strip()
    project.locality = locality
    project.people_involved_count = people_involved_count or 0
    project.people_involved_how = people_involved_how.strip()
    project.shown_to_attendees = shown_to_attendees
    project.save(update_fields=[*PROJECT_FIELDS, "updated_at"])
    project.sessions.set(sessions)
    project.priorities.set(priorities)
    _set_modes(project, modes)
    return project


@transaction.atomic
def project_set_partners(*, project, partners):
    """Make the project's partners exactly `partners`, a list of (organisation, role)."""
    seen, twice = set(), []
    for organisation, _role in partners:
        if organisation.pk in seen:
            twice.append(organisation)
        seen.add(organisation.pk)
    if twice:
        raise ValidationError(f"Each organisation takes part once: {_names(twice)} is listed more than once.")
    project.partners.exclude(organisation__in=seen).delete()
    existing = {row.organisation_id: row for row in project.partners.all()}
    for organisation, role in partners:
        row = existing.get(organisation.pk)
        if row is None:
            ProjectPartner.objects.create(project=project, organisation=organisation, role=role)
        elif row.role != role:
            row.role = role
            row.save(update_fields=["role"])
    project.save(update_fields=["updated_at"])


@transaction.atomic
def project_move_stage(*, project, to_stage, date, user, reason=""):
    """Move the project to `to_stage`, adding the dated, attributed step to its timeline.

    Going back to an earlier stage (reopening a closed project included) needs a reason.
    """
    locked = Project.objects.select_for_update().get(pk=project.pk)
    reason = reason.strip()
    errors = {}
    if to_stage not in Stage.values:
        errors["to_stage"] = "Choose a stage."
    elif to_stage == locked.stage:
        errors["to_stage"] = f"The project is already at the {Stage(to_stage).label.lower()} stage."
    elif STAGE_ORDER[to_stage] < STAGE_ORDER[locked.stage] and not reason:
        errors["reason"] = (
            f"Moving back from {Stage(locked.stage).label.lower()} to {Stage(to_stage).label.lower()} "
            "needs a reason: say why, so the timeline tells the whole story."
        )
    last = locked.stage_changes.order_by("-date").values_list("date", flat=True).first()
    if date > timezone.localdate():
        errors["date"] = "A stage change cannot be dated in the future."
    elif last and date < last:
        errors["date"] = f"The last stage change was on {say_date(last)}: date this one on or after it."
    if errors:
        raise ValidationError(errors)
    change = StageChange.objects.create(
        project=locked, from_stage=locked.stage, to_stage=to_stage, date=date, changed_by=user, reason=reason
    )
    locked.stage = to_stage
    locked.save(update_fields=["stage", "updated_at"])
    project.stage = to_stage
    return change


def _not_future(date, errors, what):
    if date > timezone.localdate():
        errors["date"] = f"{what} cannot be dated in the future."


@transaction.atomic
def progress_update_add(*, project, author, date, text):
    errors = {}
    _not_future(date, errors, "An update")
    if not text.strip():
        errors["text"] = "Say what happened."
    if errors:
        raise ValidationError(errors)
    update = ProgressUpdate.objects.create(project=project, author=author, date=date, text=text.strip())
    project.save(update_fields=["updated_at"])
    return update


@transaction.atomic
def learning_point_add(*, project, author, text):
    if not text.strip():
        raise ValidationError({"text": "Write the learning point."})
    point = LearningPoint.objects.create(project=project, author=author, text=text.strip())
    project.save(update_fields=["updated_at"])
    return point


@transaction.atomic
def pdsa_cycle_add(*, project, **fields):
    """A new PDSA cycle; `fields` as on the model (the form checks the same rules first)."""
    cycle = PdsaCycle(project=project, **fields)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def measure_add(*, project, name, direction, unit="", definition="", baseline=None, target=None):
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Name the measure."})
    if project.measures.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"This project already has a measure called “{name}”."})
    measure = Measure(
        project=project,
        name=name,
        direction=direction,
        unit=unit.strip(),
        definition=definition.strip(),
        baseline=baseline,
        target=target,
    )
    measure.full_clean()
    measure.save()
    return measure


def _duplicate_date(measure, date):
    existing = measure.points.filter(date=date).values_list("value", flat=True).first()
    return ValidationError(
        {
            "date": f"There is already a value for {say_date(date)} ({format_value(existing)}): "
            "delete that one first if it was wrong."
        }
    )


@transaction.atomic
def data_point_add(*, measure, date, value, note=""):
    """One value a date: the unique constraint settles a race between two people adding the same date."""
    errors = {}
    _not_future(date, errors, "A data point")
    if errors:
        raise ValidationError(errors)
    if measure.points.filter(date=date).exists():
        raise _duplicate_date(measure, date)
    try:
        with transaction.atomic():
            return DataPoint.objects.create(measure=measure, date=date, value=value, note=note.strip())
    except IntegrityError:
        raise _duplicate_date(measure, date) from None


@transaction.atomic
def data_points_add(*, measure, points):
    """Several (date, value) points at once: all of them, or none if any date is taken or repeated."""
    dates = [date for date, _value in points]
    repeated = sorted({date for date in dates if dates.count(date) > 1})
    taken = sorted(measure.points.filter(date__in=dates).values_list("date", flat=True))
    if repeated or taken:
        listed = ", ".join(say_date(date) for date in sorted({*repeated, *taken}))
        raise ValidationError(f"Only one value a date: {listed} would have two.")
    future = [date for date in dates if date > timezone.localdate()]
    if future:
        raise ValidationError(f"Data points cannot be dated in the future: {', '.join(say_date(d) for d in future)}.")
    return DataPoint.objects.bulk_create(DataPoint(measure=measure, date=date, value=value) for date, value in points)


# --- A measure's chart: run chart or XmR, its baseline, its phases ---


@transaction.atomic
def measure_chart_set(*, measure, chart_type, baseline_points=None):
    """How the measure's chart is drawn: `baseline_points` None is the default (the first 12 values)."""
    errors = {}
    if chart_type not in ChartType.values:
        errors["chart_type"] = "Choose a run chart or an XmR chart."
    if baseline_points is not None and not 1 <= baseline_points <= MAX_BASELINE_POINTS:
        errors["baseline_points"] = f"The baseline can be 1 to {MAX_BASELINE_POINTS} values."
    if errors:
        raise ValidationError(errors)
    measure.chart_type = chart_type
    measure.baseline_points = baseline_points
    measure.save(update_fields=["chart_type", "baseline_points"])
    return measure


def _phase_taken(day):
    return f"A phase already starts on {say_date(day)}: choose another day."


@transaction.atomic
def measure_phase_start(*, measure, user, starts_on, reason):
    """A new phase from `starts_on`, after a tested change: its values get their own baseline and median.

    It starts after the measure's first value (the first phase starts with that) and not in the future. One phase
    a day: the unique constraint settles a race between two people starting the same one.
    """
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say what changed."
    first = measure.points.order_by("date").values_list("date", flat=True).first()
    if starts_on > timezone.localdate():
        errors["starts_on"] = "A new phase cannot start in the future."
    elif first is None:
        errors["starts_on"] = "Add values first: a new phase starts after the first value."
    elif starts_on <= first:
        errors["starts_on"] = f"The first value is for {say_date(first)}: a new phase starts after it."
    elif measure.phases.filter(starts_on=starts_on).exists():
        errors["starts_on"] = _phase_taken(starts_on)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return MeasurePhase.objects.create(measure=measure, starts_on=starts_on, reason=reason, created_by=user)
    except IntegrityError:
        raise ValidationError({"starts_on": _phase_taken(starts_on)}) from None


@transaction.atomic
def measure_phase_remove(*, phase):
    """Its values join the phase before, whose baseline and median (or mean) then cover them too."""
    phase.delete()


# --- Many values at once: a measure's "Add or correct values" page (views/values.py) ---


class PointsSaved:
    """What data_points_save did: how many values it added, updated, found already stored as given, and deleted."""

    def __init__(self, *, added=0, updated=0, unchanged=0, deleted=0):
        self.added, self.updated, self.unchanged, self.deleted = added, updated, unchanged, deleted


def _check_points(measure, points, delete):
    """Every problem of a many-values save at once; the page checks the same first, row by row."""
    problems = []
    dates, repeated = set(), set()
    for date, _value, _note in points:
        (repeated if date in dates else dates).add(date)
    if repeated:
        problems.append(f"Only one value a date: {', '.join(say_date(d) for d in sorted(repeated))} would have two.")
    both = sorted(dates & set(delete))
    if both:
        problems.append(
            f"{', '.join(say_date(d) for d in both)}: given a value and deleted at once. Do one or the other."
        )
    future = sorted(date for date in dates if date > timezone.localdate())
    if future:
        problems.append(f"Values cannot be dated in the future: {', '.join(say_date(d) for d in future)}.")
    for date, value, note in points:
        try:
            DataPoint(measure=measure, date=date, value=value, note=note).clean_fields(exclude=["measure"])
        except ValidationError as error:
            problems += [f"{say_date(date)}: {message}" for message in error.messages]
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def data_points_save(*, measure, points, delete=()):
    """Add or correct many values of `measure` at once: all of them, or none if any is refused.

    `points` are (date, value, note). A date already stored takes the new value and note, never a second point
    (the one-value-a-date constraint backs this); a point already stored as given is left alone. `delete` lists
    dates whose points go. Each point is saved on its own, not in bulk, so that the audit trail records every value
    added, corrected or deleted.
    """
    if not Measure.objects.select_for_update().filter(pk=measure.pk).exists():  # two saves to one measure take turns
        raise ValidationError("This measure was deleted meanwhile: nothing was saved.")
    points = [(date, value, (note or "").strip()) for date, value, note in points]
    delete = set(delete)
    _check_points(measure, points, delete)
    stored = {point.date: point for point in measure.points.all()}
    saved = PointsSaved()
    try:
        for date, value, note in points:
            point = stored.get(date)
            if point is None:
                DataPoint.objects.create(measure=measure, date=date, value=value, note=note)
                saved.added += 1
            elif (point.value, point.note) != (value, note):
                point.value, point.note = value, note
                point.save(update_fields=["value", "note"])
                saved.updated += 1
            else:
                saved.unchanged += 1
        for date in sorted(delete & set(stored)):
            stored[date].delete()
            saved.deleted += 1
    except IntegrityError:  # a value added meanwhile through the one-value form, which does not wait its turn
        raise ValidationError(
            "Someone added a value to this measure while you were saving. Nothing was saved: check and save again."
        ) from None
    return saved
