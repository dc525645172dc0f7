"""What the questionnaires do when the session they belong to changes (connected in SurveysConfig.ready)."""

from django.utils import timezone

from surveys.models import CLOSING_GRACE, Survey, released_q
from workshops.models import SessionStatus


def close_when_cancelled(sender, instance, **kwargs):
    """A cancelled session takes no more answers: its questionnaires still taking them close at once.

    Without the grace that closing gives forms already on phones (the moment is set that far back): nobody
    was handed a form in a session that did not happen, and its answers never count in results.
    """
    if instance.status == SessionStatus.CANCELLED:
        now = timezone.now()
        Survey.objects.filter(session=instance).exclude(released_q(now)).update(
            closed_at=now - CLOSING_GRACE, updated_at=now
        )
