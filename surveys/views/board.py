"""Board papers: a partnership's period in the Situation - Background - Assessment - Recommendation shape.

Every figure on a paper is the results page's (surveys.results.pooling under the period's dates) or the
dashboard's (projects by stage, through the projects app's inclusion tag), so the three agree. Only the lead's
own words are stored with the paper.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from coprod.permissions import Need, can, get_partnership_for_user
from coprod.services import save_once
from surveys.forms import BoardPaperCreateForm, BoardPaperForm
from surveys.models import BoardPaper
from surveys.permissions import get_board_paper_for_user
from surveys.results import pooling
from surveys.views.results import page_context
from workshops.models import Session, SessionStatus


def default_title(partnership, start, end):
    return f"{partnership.name}: co-production, {start:%-d %B %Y} to {end:%-d %B %Y}"


@login_required
def board_paper_list(request, pk):
    partnership = get_partnership_for_user(request, pk)
    return render(
        request,
        "surveys/board_paper_list.html",
        {
            "partnership": partnership,
            "papers": list(BoardPaper.objects.filter(partnership=partnership).for_list()),
            "can_write": can(request.user, partnership, Need.WRITE),
        },
    )


@login_required
def board_paper_create(request, pk):
    partnership = get_partnership_for_user(request, pk, Need.WRITE)
    form = BoardPaperCreateForm(request.POST or None, partnership=partnership)
    if form.is_valid():
        data = form.cleaned_data

        def save():
            paper = BoardPaper.objects.create(
                partnership=partnership,
                period_start=data["period_start"],
                period_end=data["period_end"],
                title=default_title(partnership, data["period_start"], data["period_end"]),
                created_by=request.user,
            )
            messages.success(request, "Board paper made. Now write your assessment and recommendation.")
            return paper

        return save_once(request=request, key=data["submission_key"], save=save)
    return render(request, "surveys/board_paper_create.html", {"form": form, "partnership": partnership})


@login_required
def board_paper_detail(request, pk):
    paper = get_board_paper_for_user(request, pk)
    filters = paper.filters
    sessions, total = pooling.partnership_sessions(paper.partnership, filters)
    period_sessions = Session.objects.filter(partnership=paper.partnership).filter(pooling.session_filter(filters))
    return render(
        request,
        "surveys/board_paper.html",
        page_context()
        | {
            "paper": paper,
            "partnership": paper.partnership,
            "filters": filters,
            "held": period_sessions.filter(status=SessionStatus.HELD).count(),  # as the dashboard counts them
            "sessions": sessions,
            "total": total,
            "statements": pooling.partnership_figures(paper.partnership, filters),
            "unreleased": pooling.unreleased_sessions(period_sessions),
            "can_write": can(request.user, paper.partnership, Need.WRITE),
        },
    )


@login_required
def board_paper_edit(request, pk):
    paper = get_board_paper_for_user(request, pk, Need.WRITE)
    form = BoardPaperForm(request.POST or None, instance=paper)
    if form.is_valid():

        def save():
            form.save(commit=False).save(update_fields=["title", "assessment", "recommendation", "updated_at"])
            messages.success(request, "Board paper saved.")
            return paper

        return save_once(request=request, key=form.cleaned_data["submission_key"], save=save)
    return render(request, "surveys/board_paper_edit.html", {"form": form, "paper": paper})
