"""A bare view for bench/load_survey.py: the full middleware stack and nothing else.

Routed only when BENCH_BARE_VIEW=1 is in the server's environment (see surveys/urls.py), so that the
benchmark can read its figures as ratios of what this machine does for an empty Django page.
"""

from django.http import HttpResponse


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")
