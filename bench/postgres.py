"""The PostgreSQL server the benchmarks use for their throwaway databases: local, trust auth."""

import sys

import psycopg2

HOST = "127.0.0.1"


def admin_connection():
    """An autocommit connection to the maintenance database, as the first of postgres/root that may log in."""
    for user in ("postgres", "root"):
        try:
            connection = psycopg2.connect(host=HOST, port=5432, user=user, dbname="postgres")
        except psycopg2.OperationalError:
            continue
        connection.autocommit = True
        return connection, user
    sys.exit(f"No PostgreSQL on {HOST}:5432 that lets user postgres or root in without a password.")
