"""Baselines people fix and phases they start: per-phase medians and rules, the step and markers on the chart, the
forms and their rules, who may use them, and query counts that do not grow with phases, markers or measures."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects import runchart, selectors, services
from projects.models import ChartType, MeasurePhase
from projects.runchart import ABOVE, SHIFT, Signal
from tests.factories import DataPointFactory, MeasureFactory, PdsaCycleFactory, ProjectFactory

START = datetime.date(2025, 1, 6)  # a Monday; one value a week from here
BASELINE = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12]  # median 10
LATER = [20, 21, 19, 20, 22, 19, 21, 20, 19, 21, 20, 22]  # median 20


def week(number):
    return START + datetime.timedelta(weeks=number)


def _measure(partnership, values, **fields):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership), **fields)
    for number, value in enumerate(values):
        DataPointFactory(measure=measure, date=week(number), value=value)
    return measure


def _phase(measure, starts_on, reason="Referral form simplified after PDSA cycle 2."):
    return MeasurePhase.objects.create(measure=measure, starts_on=starts_on, reason=reason)


def _phase_post(**fields):
    return {"submission_key": str(uuid.uuid4()), "starts_on": week(12).isoformat(), "reason": "New form."} | fields


# --- Splitting a series into phases (pure) ---


def test_phase_bounds_split_at_each_start():
    dates = [week(number) for number in range(6)]

    assert runchart.phase_bounds(dates, []) == [(0, 6)]
    assert runchart.phase_bounds(dates, [week(2)]) == [(0, 2), (2, 6)]  # a value on the start day opens the phase
    assert runchart.phase_bounds(dates, [week(2) + datetime.timedelta(days=3)]) == [(0, 3), (3, 6)]
    assert runchart.phase_bounds(dates, [week(2), week(4)]) == [(0, 2), (2, 4), (4, 6)]


def test_phase_bounds_keep_phases_without_values():
    dates = [week(number) for number in range(3)]

    assert runchart.phase_bounds(dates, [week(9)]) == [(0, 3), (3, 3)]  # started after the last value
    assert runchart.phase_bounds(dates, [week(-1)]) == [(0, 0), (0, 3)]  # a first value deleted after the start


def test_each_phase_has_its_own_median_from_its_own_baseline():
    phases = runchart.analyse_phases(BASELINE + LATER, [(0, 12), (12, 24)])

    assert [(phase.first, phase.analysis.median, phase.analysis.baseline_count) for phase in phases] == [
        (0, 10, 12),
        (12, 20, 12),
    ]


def test_rules_apply_within_each_phase():
    values = BASELINE + LATER

    one = runchart.analyse_phases(values, [(0, 24)])
    two = runchart.analyse_phases(values, [(0, 12), (12, 24)])

    # Against the first median the later values are a shift; against their own they are ordinary variation.
    assert [signal.rule for signal in one[0].signals()] == [SHIFT]
    assert [phase.signals() for phase in two] == [[], []]


def test_phase_signals_count_points_from_the_start_of_the_whole_series():
    values = BASELINE + LATER + [25] * 6  # LATER ends 21, 20, 22: against its median, 20, above, on, above

    phases = runchart.analyse_phases(values, [(0, 12), (12, 30)])

    # the phase's points 9, 11 and 12 to 17: 21, 23 and 24 to 29 of the whole series (point 22, a 20, is on the median)
    assert phases[1].signals() == [Signal(SHIFT, ABOVE, (21, 23, 24, 25, 26, 27, 28, 29))]
    assert runchart.phase_flags(phases)[:21] == ((),) * 21
    assert runchart.phase_flags(phases)[21:24] == ((SHIFT,), (), (SHIFT,))


def test_a_fixed_baseline_is_not_recomputed_as_values_arrive():
    first_six = [10, 12, 11, 13, 9, 11]  # median 11

    before = runchart.analyse(first_six + [11, 12], baseline_points=6)
    after = runchart.analyse(first_six + [11, 12, 30, 31, 32, 33, 34, 35], baseline_points=6)

    assert (before.median, after.median, after.baseline_count) == (11, 11, 6)


def test_the_default_baseline_grows_until_twelve_values_then_stops():
    assert runchart.analyse([1, 2, 3]).median == 2  # all three while fewer than twelve
    assert runchart.analyse(BASELINE + [40] * 5).median == 10  # the first twelve only


# --- Where markers go (pure) ---


def test_date_position_on_a_value_is_its_index():
    dates = [week(number) for number in range(4)]

    assert runchart.date_position(dates, week(2)) == 2


def test_date_position_between_values_is_in_proportion():
    dates = [week(0), week(1), week(3)]

    assert runchart.date_position(dates, week(0) + datetime.timedelta(days=2)) == Decimal(2) / 7
    assert runchart.date_position(dates, week(2)) == Decimal("1.5")  # halfway between week 1 and week 3


def test_date_position_outside_the_charted_dates_is_none():
    dates = [week(0), week(1)]

    assert runchart.date_position(dates, week(-1)) is None
    assert runchart.date_position(dates, week(2)) is None
    assert runchart.date_position([], week(0)) is None


def test_draw_places_markers_on_a_value_and_between_values():
    values = BASELINE
    dates = [week(number) for number in range(12)]
    phases = runchart.analyse_phases(values, [(0, 12)])

    layout = runchart.draw(phases, dates=dates, markers=[week(3), week(5) + datetime.timedelta(days=3), week(20)])

    xs = [point["x"] for point in layout["points"]]
    gap = (xs[11] - xs[0]) / 11  # 556 / 11 between neighbours
    assert [(marker["number"], marker["x"]) for marker in layout["markers"]] == [
        (1, xs[3]),
        (2, round(xs[0] + gap * (5 + Decimal(3) / 7), 1)),  # three days into the week after the sixth point
    ]  # marker 3, after the last value, is not drawn
    assert xs[5] < layout["markers"][1]["x"] < xs[6]


def test_draw_stacks_markers_too_close_to_share_a_row():
    dates = [week(number) for number in range(12)]
    phases = runchart.analyse_phases(BASELINE, [(0, 12)])

    layout = runchart.draw(phases, dates=dates, markers=[week(3), week(3), week(3), week(8)])

    assert [marker["y"] for marker in layout["markers"]][:3] == [25, 47, 69]  # three rows, 22 apart
    assert layout["markers"][3]["y"] == 25  # far enough along to use the first row again
    assert layout["top"] > 69 + 9  # the plot starts below the markers


def test_draw_a_step_at_each_phase_start():
    phases = runchart.analyse_phases(BASELINE + LATER, [(0, 12), (12, 24)])

    layout = runchart.draw(phases)

    first, second = layout["segments"]
    xs = [point["x"] for point in layout["points"]]
    assert (first["x1"], first["x2"]) == (layout["left"], second["x1"])
    assert second["x1"] == round((xs[11] + xs[12]) / 2, 1)  # between the last point of one and the first of the next
    assert second["x2"] == layout["right"]
    assert (first["starts_phase"], second["starts_phase"]) == (False, True)
    assert second["step_from_y"] == first["centre_y"] > second["centre_y"]  # up: 10 to 20, and SVG y grows down
    assert (first["centre"], second["centre"]) == (10, 20)
    assert layout["phase_label_y"] is not None


def test_draw_a_phase_still_forming_its_baseline_is_dashed_after_it():
    phases = runchart.analyse_phases(BASELINE + LATER[:3], [(0, 12), (12, 15)], baseline_points=2)

    layout = runchart.draw(phases)

    second = layout["segments"][1]
    xs = [point["x"] for point in layout["points"]]
    assert second["baseline_end_x"] == xs[13]  # its first two values
    assert second["baseline_end_x"] < second["x2"]


# --- The measure page: chart, phases, markers ---


def test_measure_page_draws_phases_as_a_step_with_the_reason(client, viewer, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    _phase(measure, week(12), reason="Weekly walking group started")
    client.force_login(viewer)

    page = client.get(measure.get_absolute_url())

    chart = page.context["chart"]
    assert [(phase.number, phase.analysis.median, len(phase.points)) for phase in chart.phases] == [
        (1, 10, 12),
        (2, 20, 12),
    ]
    assert chart.signals == []
    drawing = page.text.split("<figcaption>")[0]
    assert drawing.count('class="chart-median chart-median-step"') == 1
    assert drawing.count('class="chart-phase-start"') == 1
    assert "Phase 2, from 31 Mar 2025 (Weekly walking group started): median 20." in page.text  # in the <desc>
    assert "Phase 2, from 31 March 2025: Weekly walking group started. Median 20." in page.text  # the data table
    assert "Run chart, IHI rules" in page.text


def test_measure_page_without_phases_has_no_step(client, viewer, partnership):
    measure = _measure(partnership, BASELINE + [13, 14] * 3)
    client.force_login(viewer)

    page = client.get(measure.get_absolute_url())

    assert 'class="chart-median chart-median-step"' not in page.text
    assert "chart-phase-label" not in page.text
    # the baseline's last 11, 10 (on the median) and 12, then the six: eight points above 10
    assert [(s.rule, s.count) for s in page.context["chart"].signals] == [("shift", 8)]


def test_measure_page_marks_pdsa_cycles_and_notes_with_numbers(client, viewer, partnership):
    measure = _measure(partnership, BASELINE)
    PdsaCycleFactory(project=measure.project, title="Invite two in-patients", plan_date=week(2), do_date=week(3))
    PdsaCycleFactory(project=measure.project, title="Planned long ago", plan_date=week(-5))
    point = measure.points.get(date=week(6))
    point.note = "Walking group moved to Tuesdays"
    point.save()
    client.force_login(viewer)

    page = client.get(measure.get_absolute_url())

    chart = page.context["chart"]
    assert [(m.number, m.date, m.drawn) for m in chart.markers] == [
        (1, week(-5), False),
        (2, week(3), True),
        (3, week(6), True),
    ]
    xs = [p["x"] for p in chart.layout["points"]]
    assert [(m["number"], m["x"]) for m in chart.layout["markers"]] == [(2, xs[3]), (3, xs[6])]
    assert 'Planned long ago</a>, planned <span class="text-muted">(not drawn: outside the chart\'s dates)</span>' in (
        page.text
    )
    assert "Invite two in-patients</a>, carried out</li>" in page.text
    assert "note on the value 11: Walking group moved to Tuesdays</li>" in page.text
    assert page.text.count('<g class="chart-marker">') == 2


def test_measure_page_xmr_chart_is_labelled_with_its_rule_set(client, viewer, partnership):
    measure = _measure(partnership, [12, 10] * 6 + [17], chart_type=ChartType.XMR)
    client.force_login(viewer)

    page = client.get(measure.get_absolute_url())

    assert "XmR chart, Making Data Count rules" in page.text
    assert f'<title id="run-chart-title-{measure.pk}">XmR chart of {measure.name}</title>' in page.text
    assert [(s.rule, s.direction) for s in page.context["chart"].signals] == [("outside_limits", "above")]
    assert "17 on 31 Mar 2025, above the upper process limit 16.32." in page.text
    assert page.text.count('<line class="chart-limit" x1="64"') == 2  # upper and lower, from the left axis
    assert "Mean 11, process limits 5.68 to 16.32" in page.text


@pytest.mark.parametrize("count", [1, 3])
def test_measure_page_query_count_constant(client, viewer, partnership, django_assert_num_queries, count):
    measure = _measure(partnership, BASELINE + LATER)
    for number in range(count):
        _phase(measure, week(12 + 3 * number), reason=f"Change {number}")
        PdsaCycleFactory(project=measure.project, plan_date=week(number))
    client.force_login(viewer)

    # session, user, whether a second factor is due, measure with its project and partnership, role, points,
    # phases, PDSA cycles, can write (role)
    with django_assert_num_queries(9):
        response = client.get(measure.get_absolute_url())

    assert len(response.context["chart"].phases) == count + 1
    assert len(response.context["chart"].markers) == count


# --- Starting and removing phases ---


def test_phase_add_stores_it_and_redirects_to_the_phases(client, lead, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    client.force_login(lead)

    response = client.post(reverse("projects:phase-add", args=[measure.pk]), _phase_post(reason="  New form.  "))

    assert response.url == f"{measure.get_absolute_url()}#phases"
    assert list(measure.phases.values_list("starts_on", "reason", "created_by")) == [(week(12), "New form.", lead.pk)]


def test_phase_add_needs_a_reason_and_keeps_what_was_typed(client, lead, partnership):
    measure = _measure(partnership, BASELINE)
    client.force_login(lead)

    response = client.post(reverse("projects:phase-add", args=[measure.pk]), _phase_post(reason="  "))

    assert response.context["phase_form"].errors == {"reason": ["Say what changed."]}
    assert f'value="{week(12).isoformat()}"' in response.text
    assert 'href="#id_reason"' in response.text  # the error summary links to the field
    assert not measure.phases.exists()


def test_phase_add_one_phase_a_day(client, lead, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    _phase(measure, week(12))
    client.force_login(lead)

    response = client.post(reverse("projects:phase-add", args=[measure.pk]), _phase_post(reason="Another change"))

    assert response.context["phase_form"].errors == {
        "starts_on": ["A phase already starts on 31 March 2025: choose another day."]
    }
    assert "Another change" in response.text
    assert measure.phases.count() == 1


def test_phase_add_twice_with_one_key_stores_one(client, lead, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    client.force_login(lead)
    form = _phase_post()

    first = client.post(reverse("projects:phase-add", args=[measure.pk]), form)
    second = client.post(reverse("projects:phase-add", args=[measure.pk]), form)

    assert first.url == second.url == f"{measure.get_absolute_url()}#phases"
    assert measure.phases.count() == 1


@pytest.mark.parametrize(
    ("starts_on", "error"),
    [
        (START, "The first value is for 6 January 2025: a new phase starts after it."),
        (START - datetime.timedelta(days=1), "The first value is for 6 January 2025: a new phase starts after it."),
        (datetime.date(2999, 1, 1), "A new phase cannot start in the future."),
    ],
)
def test_phase_start_after_the_first_value_and_not_in_the_future(lead, partnership, starts_on, error):
    measure = _measure(partnership, BASELINE)

    with pytest.raises(ValidationError) as raised:
        services.measure_phase_start(measure=measure, user=lead, starts_on=starts_on, reason="New form.")

    assert raised.value.message_dict == {"starts_on": [error]}
    assert not measure.phases.exists()


def test_phase_start_needs_a_value_first(lead, partnership):
    measure = _measure(partnership, [])

    with pytest.raises(ValidationError) as raised:
        services.measure_phase_start(measure=measure, user=lead, starts_on=week(1), reason="New form.")

    assert raised.value.message_dict == {"starts_on": ["Add values first: a new phase starts after the first value."]}


def test_phase_remove_asks_first_then_removes(client, facilitator, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    phase = _phase(measure, week(12), reason="Weekly walking group started")
    client.force_login(facilitator)
    url = reverse("projects:phase-remove", args=[phase.pk])

    page = client.get(url)
    assert "It was started because: Weekly walking group started" in page.text
    assert measure.phases.count() == 1

    response = client.post(url)

    assert response.url == measure.get_absolute_url()
    assert not measure.phases.exists()
    chart = selectors.measure_chart(measure)
    assert [(phase.number, phase.analysis.median) for phase in chart.phases] == [(1, 10)]  # one phase again


def test_measure_page_offers_phase_forms_and_removal_to_writers_only(client, lead, viewer, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    phase = _phase(measure, week(12))
    remove = reverse("projects:phase-remove", args=[phase.pk])

    client.force_login(viewer)
    as_viewer = client.get(measure.get_absolute_url()).text
    client.force_login(lead)
    as_lead = client.get(measure.get_absolute_url()).text

    assert ("Start a new phase" in as_viewer, remove in as_viewer) == (False, False)
    assert ("Start a new phase" in as_lead, remove in as_lead) == (True, True)


def test_viewer_cannot_start_or_remove_a_phase(client, viewer, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    phase = _phase(measure, week(12))
    client.force_login(viewer)

    added = client.post(reverse("projects:phase-add", args=[measure.pk]), _phase_post(starts_on=week(14).isoformat()))
    removed = client.post(reverse("projects:phase-remove", args=[phase.pk]))

    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(measure.phases.all()) == [phase]


def test_another_partnerships_phase_is_404(client, outsider, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    phase = _phase(measure, week(12))
    client.force_login(outsider)

    page = client.get(reverse("projects:phase-remove", args=[phase.pk]))
    removed = client.post(reverse("projects:phase-remove", args=[phase.pk]))

    assert (page.status_code, removed.status_code) == (404, 404)
    assert measure.phases.count() == 1


# --- The chart settings: run or XmR, the baseline ---


def test_chart_settings_fix_the_baseline_and_choose_xmr(client, lead, partnership):
    measure = _measure(partnership, [10, 12, 11, 13, 9, 11, 30, 31])
    client.force_login(lead)

    response = client.post(
        reverse("projects:measure-chart", args=[measure.pk]), {"chart_type": "xmr", "baseline_points": "6"}
    )

    assert response.url == measure.get_absolute_url()
    measure.refresh_from_db()
    assert (measure.chart_type, measure.baseline_points) == ("xmr", 6)
    chart = selectors.measure_chart(measure)
    assert (chart.analysis.mean, chart.analysis.baseline_count) == (11, 6)  # 66 / 6


def test_chart_settings_empty_baseline_is_the_default(client, lead, partnership):
    measure = _measure(partnership, BASELINE, baseline_points=6)
    client.force_login(lead)

    client.post(reverse("projects:measure-chart", args=[measure.pk]), {"chart_type": "run", "baseline_points": ""})

    measure.refresh_from_db()
    assert (measure.chart_type, measure.baseline_points) == ("run", None)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0", "The baseline needs at least 1 value."),
        ("61", "The baseline can be at most 60 values."),
        ("twelve", "Enter a whole number of values, for example 12."),
    ],
)
def test_chart_settings_refuse_a_baseline_out_of_range_and_keep_it(client, lead, partnership, typed, error):
    measure = _measure(partnership, BASELINE)
    client.force_login(lead)

    response = client.post(
        reverse("projects:measure-chart", args=[measure.pk]), {"chart_type": "xmr", "baseline_points": typed}
    )

    assert response.context["settings_form"].errors == {"baseline_points": [error]}
    assert f'value="{typed}"' in response.text
    measure.refresh_from_db()
    assert (measure.chart_type, measure.baseline_points) == ("run", None)
    assert '<h2 id="chart-title">Run chart</h2>' in response.text  # the refused choice does not redraw the chart


# --- The database backs the rules ---


@pytest.mark.parametrize("baseline_points", [0, 61])
def test_database_refuses_a_baseline_out_of_range(partnership, baseline_points):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    measure.baseline_points = baseline_points

    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save(update_fields=["baseline_points"])


def test_database_refuses_a_phase_without_a_reason_or_twice_on_a_day(partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    _phase(measure, week(3))

    with pytest.raises(IntegrityError), transaction.atomic():
        _phase(measure, week(4), reason="   ")
    with pytest.raises(IntegrityError), transaction.atomic():
        _phase(measure, week(3), reason="Again")

    assert measure.phases.count() == 1


# --- The project page: each measure's chart, small, with its signals in words ---


def test_project_page_shows_each_measures_chart_with_phases_and_markers(client, viewer, partnership):
    measure = _measure(partnership, BASELINE + LATER)
    _phase(measure, week(12), reason="Weekly walking group started")
    PdsaCycleFactory(project=measure.project, title="Invite two in-patients", plan_date=week(11))
    other = MeasureFactory(project=measure.project, name="Carers asked")
    client.force_login(viewer)

    page = client.get(measure.project.get_absolute_url())

    assert [chart.measure for chart in page.context["charts"]] == [other, measure]
    assert page.text.count('class="run-chart run-chart-compact"') == 1  # the measure without values has no chart
    assert '<g class="chart-marker">' in page.text
    assert "Phase 2, from 31 Mar 2025</strong>: Weekly walking group started" in page.text
    assert "No values yet: the chart appears with the first one." in page.text
    assert page.context["charts"][1].layout["width"] == selectors.COMPACT["width"]


@pytest.mark.parametrize("count", [1, 3])
def test_project_page_query_count_constant_with_measures_phases_and_markers(
    client, viewer, partnership, django_assert_num_queries, count
):
    project = ProjectFactory(partnership=partnership)
    for number in range(count):
        measure = MeasureFactory(project=project)
        for week_number, value in enumerate(BASELINE + LATER):
            DataPointFactory(measure=measure, date=week(week_number), value=value, note="A note" if week_number else "")
        _phase(measure, week(12))
        PdsaCycleFactory(project=project, plan_date=week(number))
    client.force_login(viewer)

    # session, user, whether a second factor is due, project, role, partners, PDSA cycles, modes, sessions,
    # priorities, timeline, updates, learning points, measures, their points, their phases, can write (role)
    with django_assert_num_queries(17):
        response = client.get(project.get_absolute_url())

    assert [len(chart.phases) for chart in response.context["charts"]] == [2] * count
    assert [len(chart.markers) for chart in response.context["charts"]] == [23 + count] * count
