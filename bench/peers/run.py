"""Run one task of a peer's bench project in that peer's own virtual environment; print its result as JSON.

    bench/results/peers/peer1-venv/bin/python bench/peers/run.py peer1 seed
    bench/results/peers/peer1-venv/bin/python bench/peers/run.py peer1 reconcile RECEIPTS.json
    bench/results/peers/peer1-venv/bin/python bench/peers/run.py peer1 round_trips

bench/load_survey.py --peers calls these: `seed` migrates the project's database and loads its survey with
100,000 responses, `reconcile` compares the rows stored with the acknowledged submissions (their receipts, a
JSON list), `round_trips` counts the SQL round trips of one GET and one POST of the survey's form.
"""

import importlib
import json
import os
import sys


def main():
    project, task, *arguments = sys.argv[1:]
    os.environ["DJANGO_SETTINGS_MODULE"] = f"{project}.settings"
    import django

    django.setup()
    tasks = importlib.import_module(f"{project}.tasks")
    print(json.dumps(getattr(tasks, task)(*arguments)))


if __name__ == "__main__":
    main()
