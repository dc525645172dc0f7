from django.http import HttpResponse


def bare(request):
    """Nothing but a response: what a Django request costs on this machine before any app does anything."""
    return HttpResponse(b"ok", content_type="text/plain")
