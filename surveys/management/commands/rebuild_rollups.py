"""Recompute the results' counts (rollups) from the raw answers: after a restore, or to check them."""

from django.core.management.base import BaseCommand

from surveys.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute every session's answer counts (the rollups results read) from the stored answers."

    def handle(self, *args, **options):
        statements, sessions = rollups_rebuild()
        self.stdout.write(f"Rollups rebuilt: {statements} statement rows across {sessions} sessions.")
