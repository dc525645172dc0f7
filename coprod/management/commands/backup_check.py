import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database with pg_dump, restore it into a fresh database with pg_restore, "
        "and check that every table holds the same number of rows. The fresh database is dropped afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", metavar="FILE", help="Also keep the dump (custom format) at this path.")

    def handle(self, *args, keep=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup_check needs PostgreSQL (DATABASE_URL=postgres://...).")
        for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
            if not shutil.which(tool):
                raise CommandError(f"{tool} is not installed (Debian package postgresql-client).")
        settings = connection.settings_dict
        target = f"{settings['NAME']}_restore_check"
        env = {"PGPASSWORD": settings.get("PASSWORD") or ""}
        common = [f"--host={settings.get('HOST') or 'localhost'}", f"--port={settings.get('PORT') or 5432}"]
        if settings.get("USER"):
            common.append(f"--username={settings['USER']}")

        with tempfile.TemporaryDirectory() as folder:
            dump = Path(folder) / "coprod.dump"
            self._run(["pg_dump", *common, "--format=custom", f"--file={dump}", settings["NAME"]], env)
            self._run(["dropdb", *common, "--if-exists", target], env)
            self._run(["createdb", *common, target], env)
            try:
                self._run(
                    ["pg_restore", *common, "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)], env
                )
                differences = self._compare(target)
            finally:
                self._run(["dropdb", *common, "--if-exists", target], env)
            if keep:
                shutil.copy(dump, keep)

        if differences:
            raise CommandError("Restored row counts differ: " + "; ".join(differences))
        self.stdout.write(self.style.SUCCESS("Backup restored into a fresh database: every table's row count matches."))

    def _compare(self, target):
        tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
        original = self._counts(connection, tables)
        alias = "restore_check"
        connections.settings[alias] = {**connection.settings_dict, "NAME": target}
        try:
            restored = self._counts(connections[alias], tables)
        finally:
            connections[alias].close()
            del connections.settings[alias]
        for table in tables:
            self.stdout.write(f"  {table}: {original[table]} rows")
        return [f"{t}: {original[t]} before, {restored[t]} after" for t in tables if original[t] != restored[t]]

    @staticmethod
    def _counts(conn, tables):
        with conn.cursor() as cursor:
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (table names come from the models)
                counts[table] = cursor.fetchone()[0]
        return counts

    @staticmethod
    def _run(command, env):
        result = subprocess.run(command, env=os.environ | env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"{command[0]} failed: {result.stderr.strip()}")
