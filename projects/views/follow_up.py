"""“Did it last?”: the question six or twelve months after a project closed, answered (or changed) by a writer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from coprod.permissions import Need
from projects import follow_up
from projects.forms import FollowUpForm
from projects.permissions import get_project_for_user


@login_required
def follow_up_answer(request, pk, due):
    project = get_project_for_user(request, pk, Need.WRITE)
    if due not in follow_up.DUES:
        raise Http404("No such page.")
    answer = follow_up.answer_of(project, due)
    closed_on = follow_up.closing_date(project)
    if answer:
        due_on = answer.due_on
    else:
        due_on = follow_up.add_months(closed_on, due) if closed_on else None
        if due_on is None or due_on > timezone.localdate():
            raise Http404("No such page.")  # not asked (yet): nothing links here
    initial = {"outcome": answer.outcome, "reason": answer.reason} if answer else {}
    form = FollowUpForm(request.POST or None, initial={**initial, "seen": follow_up.seen_stamp(answer)})
    if form.is_valid():
        data = form.cleaned_data
        try:
            follow_up.follow_up_answer(
                project=project,
                due=due,
                outcome=data["outcome"],
                reason=data["reason"],
                user=request.user,
                seen=data["seen"],
            )
        except follow_up.AnsweredMeanwhile as error:
            # What they typed stays; saving again now replaces the answer they have just been shown.
            form = FollowUpForm({**request.POST.dict(), "seen": follow_up.seen_stamp(error.answer)})
            form.is_valid()
            form.add_error(None, error)
            answer = error.answer
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Answer saved.")
            return redirect(f"{project.get_absolute_url()}#follow-up-title")
    return render(
        request,
        "projects/follow_up_form.html",
        {
            "project": project,
            "form": form,
            "answer": answer,
            "due": due,
            "months": follow_up.IN_WORDS[due],
            "closed_on": closed_on,
            "due_on": due_on,
        },
    )
