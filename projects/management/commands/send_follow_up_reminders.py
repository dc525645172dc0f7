"""Email "Did it last?" questions as they fall due: six and twelve months after a project closed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects import follow_up


class Command(BaseCommand):
    help = (
        "Email each closed project's leads (and whoever recorded it, if they still lead or facilitate there) its "
        "“Did it last?” question once it is due, six and twelve months after it closed. Each question is emailed "
        "once: safe to run again. Run it daily from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; send nothing.")
        parser.add_argument(
            "--site",
            help="The site's address for the links, e.g. https://coprod.example.org "
            "(default: the first of CSRF_TRUSTED_ORIGINS).",
        )

    def handle(self, *args, dry_run=False, site=None, **options):
        site = (site or next(iter(settings.CSRF_TRUSTED_ORIGINS), "")).rstrip("/")
        if not site.startswith(("https://", "http://")):
            raise CommandError("Say the site's address for the links: --site https://coprod.example.org.")
        questions = follow_up.to_remind(follow_up.due_questions())
        people = follow_up.recipients(questions)
        nobody = [question for question in questions if not people[question.project.pk]]
        waiting = [question for question in questions if people[question.project.pk]]
        if dry_run:
            self.stdout.write(
                f"Would email {len(waiting)} question(s); {len(nobody)} have nobody to email (no lead with an email)."
            )
            return
        sent = 0
        for question in waiting:
            # One transaction each: a mail server failure stops the run, keeping those sent before as sent.
            sent += follow_up.follow_up_remind(
                question=question, people=people[question.project.pk], absolute_url=lambda path: f"{site}{path}"
            )
        # Counts only: this output goes to the job's log, which never holds names or emails.
        self.stdout.write(f"Emailed {sent} question(s); {len(nobody)} have nobody to email (no lead with an email).")
