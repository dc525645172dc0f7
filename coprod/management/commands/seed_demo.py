import importlib
import os

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from coprod import panels


class Command(BaseCommand):
    help = (
        "Load the demo partnerships, users and data, dated from the day the demo was first loaded. Safe to run "
        "again, also after erase_expired_attendees: it finds what is there and adds, changes and deletes nothing."
    )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", "coprod-demo")
        # Each app seeds its own part in `<app>/demo.py`, in INSTALLED_APPS order (core first), so the
        # core never imports the apps that stand on it.
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(password=password, stdout=self.stdout)
            panels.changed(*panels.TOPICS)  # the demo writes in bulk, which sends no signals
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo password for every user: {password}"))
