"""SQL round trips of one request, counted the same way for CoProd and for each peer (in its own venv)."""

from contextlib import ExitStack

from django.db import connection


class RoundTrips:
    """Every SQL statement the default connection sends inside the `with`, and the transactions around them.

    Statements come from Django's execute_wrapper hook (savepoints included). A transaction costs two round trips
    the hook never sees, BEGIN and COMMIT: each run of statements sent inside an atomic block counts as one.
    Not counted: Django's connection health check (a SELECT 1 when a request reuses a connection), which every
    app here does alike.
    """

    def __init__(self):
        self.statements = []  # (sql, sent inside a transaction)
        self._stack = ExitStack()

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, context["connection"].in_atomic_block))
        return execute(sql, params, many, context)

    def __enter__(self):
        self._stack.enter_context(connection.execute_wrapper(self))
        return self

    def __exit__(self, *exc_info):
        self._stack.close()

    def transactions(self):
        count, inside = 0, False
        for _sql, atomic in self.statements:
            count += atomic and not inside
            inside = atomic
        return count

    def summary(self):
        transactions = self.transactions()
        return {
            "round_trips": len(self.statements) + 2 * transactions,
            "statements": len(self.statements),
            "transactions": transactions,
        }
