"""Retention: erase attendees' names, emails and organisations a set time after their last session."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db.models import Max, Q
from django.utils import timezone

from workshops.models import Attendee
from workshops.services import attendee_erase


def months_before(day, months):
    """The same day of the month `months` earlier, or the month's last day where it has no such day."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (following - datetime.timedelta(days=1)).day))


def expired_attendees(*, cutoff):
    """Attendees not yet erased whose last session was before `cutoff`.

    Someone on no register at all (every attendance removed) counts from the day their record was created.
    """
    return (
        Attendee.objects.filter(erased_at__isnull=True)
        .annotate(last_session=Max("attendances__session__date"))
        .filter(Q(last_session__lt=cutoff) | Q(last_session__isnull=True, created_at__date__lt=cutoff))
        .order_by("pk")
    )


class Command(BaseCommand):
    help = (
        "Erase the names, emails and organisations of attendees whose last session was more than "
        "ATTENDEE_RETENTION_MONTHS months ago (default 24). Their attendance rows stay, so every count stays. "
        "Safe to run again: run it daily from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count who would be erased; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        cutoff = months_before(timezone.localdate(), settings.ATTENDEE_RETENTION_MONTHS)
        pks = list(expired_attendees(cutoff=cutoff).values_list("pk", flat=True))
        if dry_run:
            self.stdout.write(f"Would erase {len(pks)} attendee(s) whose last session was before {cutoff:%Y-%m-%d}.")
            return
        erased = 0
        for attendee in Attendee.objects.filter(pk__in=pks).order_by("pk").iterator():
            try:
                attendee_erase(attendee=attendee)  # one transaction each: a failure keeps those already erased
            except ValidationError:  # erased a moment ago by a lead
                continue
            erased += 1
        # Counts only: this output goes to the job's log, which never holds names or emails.
        self.stdout.write(f"Erased {erased} attendee(s) whose last session was before {cutoff:%Y-%m-%d}.")
