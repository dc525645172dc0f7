"""System checks of CoProd's own settings, run by `manage.py check` (`--deploy` for production's)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Several app servers share rate limits and the dashboard's built sections only through Redis."""
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: rate limits count in the database and each dashboard section is cached in a "
            "database table, which is slower under load.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to a Redis server every app server shares.",
            id="coprod.W001",
        )
    ]
