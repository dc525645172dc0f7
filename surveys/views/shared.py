"""Read-only links to a results or dashboard page, for people without an account (surveys.SharedLink).

Whoever may write to a scope (its leads and facilitators; ALLIANCE staff for the national pages) makes a link on the
page, its filters frozen; the link is shown once, then only listed, and may be revoked at once. Through the link,
the members' page renders in a read-only mode: no filters, downloads, written answers or links to members' pages,
the disclosure rule as everywhere. Every view is filed in the audit trail.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from coprod import audit
from coprod.permissions import Need, get_partnership_for_user, require_alliance_staff
from coprod.services import save_once
from surveys import services
from surveys.forms import DashboardFilterForm, ResultsFilterForm, SharedLinkForm
from surveys.models import SharedLink, SharedLinkKind, shared_link_token_hash
from surveys.permissions import can_share, check_share
from surveys.views import dashboard, programmes, results
from workshops.models import Programme, Session
from workshops.permissions import get_programme_for_user, get_session_for_user

PARTNERSHIP_KINDS = (SharedLinkKind.PARTNERSHIP_RESULTS, SharedLinkKind.PARTNERSHIP_DASHBOARD)
NATIONAL_KINDS = (SharedLinkKind.NATIONAL_RESULTS, SharedLinkKind.NATIONAL_DASHBOARD)
CREATED_KEY = "shared_link_created"  # the session's note of a link just made: its pk and its one showing


def _scope_to_share(request, kind, target):
    """(partnership or None, target id to keep): 404 for outsiders, 403 for those who may not share."""
    if kind == SharedLinkKind.SESSION_RESULTS:
        return get_session_for_user(request, target or 0, need=Need.WRITE).partnership, target
    if kind == SharedLinkKind.PROGRAMME_RESULTS:
        return get_programme_for_user(request, target or 0, need=Need.WRITE).partnership, target
    if kind in PARTNERSHIP_KINDS:
        return get_partnership_for_user(request, target or 0, need=Need.WRITE), None
    require_alliance_staff(request.user)
    return None, None


@login_required
@require_POST
def shared_link_create(request):
    form = SharedLinkForm(request.POST)
    if not form.is_valid():
        if form.has_error("kind") or form.has_error("target") or form.has_error("query"):
            raise Http404("No such page.")
        partnership, _ = _scope_to_share(request, form.cleaned_data["kind"], form.cleaned_data.get("target"))
        return _links_page(request, partnership, form=form, status=400)
    data = form.cleaned_data
    partnership, target = _scope_to_share(request, data["kind"], data["target"])

    def save():
        link, token = services.shared_link_create(
            kind=data["kind"],
            target_id=target,
            query=data["query"],
            partnership=partnership,
            label=data["label"],
            days=data["days"],
            user=request.user,
        )
        # Shown once, on the list the browser is sent to next (which takes it out of the session): a double submit
        # makes one link, and the page it lands on shows it.
        url = request.build_absolute_uri(reverse("surveys:shared-view", args=[token]))
        request.session[CREATED_KEY] = {"pk": link.pk, "url": url}
        return link

    return save_once(request=request, key=data["submission_key"], save=save)


@login_required
def shared_links(request, pk):
    return _links_page(request, get_partnership_for_user(request, pk))


@login_required
def national_shared_links(request):
    require_alliance_staff(request.user)
    return _links_page(request, None)


@login_required
@require_POST
def shared_link_revoke(request, pk):
    link = get_object_or_404(SharedLink.objects.select_related("partnership"), pk=pk)
    if link.partnership is None:
        require_alliance_staff(request.user)
    check_share(request.user, link.partnership)
    services.shared_link_revoke(link=link, user=request.user)
    messages.success(
        request, f"The link “{link}” is withdrawn: whoever opens it now sees that it was withdrawn, and no figures."
    )
    if link.partnership_id:
        return redirect("surveys:shared-links", link.partnership_id)
    return redirect("surveys:national-shared-links")


def _links_page(request, partnership, *, form=None, status=200):
    links = list(SharedLink.objects.filter(partnership=partnership).for_list())
    created = None
    new = request.session.get(CREATED_KEY)
    if new and (link := next((link for link in links if link.pk == new["pk"]), None)):
        created = {"link": link, "url": request.session.pop(CREATED_KEY)["url"]}
    views = audit.views_count(SharedLink, [link.pk for link in links])
    sessions = Session.objects.in_bulk(
        [link.target_id for link in links if link.kind == SharedLinkKind.SESSION_RESULTS]
    )
    programme_titles = dict(
        Programme.objects.filter(
            pk__in=[link.target_id for link in links if link.kind == SharedLinkKind.PROGRAMME_RESULTS]
        ).values_list("pk", "title")
    )
    now = timezone.now()
    rows = []
    for link in links:
        if link.kind == SharedLinkKind.SESSION_RESULTS:
            session = sessions.get(link.target_id)
            what = f"{link.get_kind_display()}: {session.title if session else 'a deleted session'}"
        elif link.kind == SharedLinkKind.PROGRAMME_RESULTS:
            what = f"{link.get_kind_display()}: {programme_titles.get(link.target_id, 'a deleted programme')}"
        else:
            what = link.get_kind_display()
        rows.append(
            {
                "link": link,
                "what": what,
                "filters": _filters_in_words(link),
                "status": link.status(now),
                "views": views.get(link.pk, 0),
            }
        )
    context = {
        "partnership": partnership,
        "rows": rows,
        "created": created,
        "form": form,
        "can_revoke": can_share(request.user, partnership),
    }
    response = render(request, "surveys/shared_links.html", context, status=status)
    patch_cache_control(response, no_store=True)  # a new link's token is shown once, and kept by no cache
    return response


def _filters_in_words(link):
    if not link.query:
        return []
    form_class = DashboardFilterForm if "dashboard" in link.kind else ResultsFilterForm
    return form_class(QueryDict(link.query), partnership=link.partnership).described()


# --- /shared/<token>/: the page itself, for anyone holding the link ---


def shared_view(request, token):
    """Every answer here, a refused method's too, is kept by no cache, out of search engines and sends no referrer."""
    response = _shared_response(request, token)
    patch_cache_control(response, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD"])
def _shared_response(request, token):
    link = SharedLink.objects.select_related("partnership").filter(token_hash=shared_link_token_hash(token)).first()
    if link is None:
        response = render(request, "surveys/shared/unknown.html", status=404)
    elif link.status() != "active":
        response = render(request, "surveys/shared/ended.html", {"link": link, "status": link.status()}, status=410)
    else:
        audit.view_record(obj=link, scope=link.partnership)
        response = _shared_page(request, link)
    return response


def _shared_page(request, link):
    query = QueryDict(link.query)
    if link.kind == SharedLinkKind.SESSION_RESULTS:
        session = get_object_or_404(
            Session.objects.select_related("partnership", "locality", "programme"),
            pk=link.target_id,
            partnership=link.partnership,
        )
        return results.session_results_page(request, session, live=False, shared=link)
    if link.kind == SharedLinkKind.PROGRAMME_RESULTS:
        item = get_object_or_404(
            Programme.objects.select_related("partnership"), pk=link.target_id, partnership=link.partnership
        )
        return programmes.programme_results_page(request, item, shared=link)
    if link.kind == SharedLinkKind.PARTNERSHIP_RESULTS:
        return results.partnership_results_page(request, link.partnership, query, shared=link)
    if link.kind == SharedLinkKind.NATIONAL_RESULTS:
        return results.national_results_page(request, query, shared=link)
    return dashboard.dashboard_page(request, link.partnership, query, shared=link)
