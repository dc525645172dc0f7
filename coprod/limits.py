"""Rate limits: a count per client and window that every worker and app server shares, exact under concurrency.

A limit such as "300/10m" allows 300 hits in each 10-minute window (windows aligned to the clock), per group
(what is limited) and client (who asks). The count is one atomic step: with REDIS_URL, INCR and EXPIRE in one
Redis transaction; without, one upsert in the database (INSERT ... ON CONFLICT DO UPDATE ... RETURNING). Never
get-then-set, which loses counts when 600 phones post at once, and never a cache that culls entries when full,
which hands a blocked client a fresh allowance. The window is part of the key, so a count lives exactly as long
as its window.

If Redis cannot be reached, the limit lets the request through (and logs it): turning every attendee away is
worse than a room answering unlimited for a while. A database that cannot be reached fails the request anyway.
"""

import datetime
import hashlib
import logging
import re
import time

import redis
from django.conf import settings
from django.db import connection

from coprod.models import RateCount

RATE = re.compile(r"([1-9]\d*)/(\d*)([smhd])")
SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
KEY_PREFIX = "coprod:limit:"

logger = logging.getLogger(__name__)
_redis_clients = {}


def parse(rate):
    """ "300/10m" -> (300, 600): hits allowed, and the window in seconds."""
    match = RATE.fullmatch(rate)
    if not match:
        raise ValueError(f"A rate looks like 300/10m (count/period), not {rate!r}.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * SECONDS[unit]


def hit(group, client, rate):
    """Count one hit; True if it is over the limit (the hit is counted either way)."""
    limit, period = parse(rate)
    now = time.time()
    key, window_end = _key(group, client, period, now)
    count = _redis_hit(key, period) if settings.REDIS_URL else _database_hit(key, window_end, now)
    return count is not None and count > limit


def spent(group, client, rate):
    """True if the client has used up this window's allowance, without counting a hit."""
    limit, period = parse(rate)
    key, _window_end = _key(group, client, period, time.time())
    if settings.REDIS_URL:
        try:
            count = _redis().get(key)
        except redis.RedisError:
            logger.warning("rate limit not checked: Redis unreachable")
            return False
    else:
        count = RateCount.objects.filter(key=key).values_list("count", flat=True).first()
    return count is not None and int(count) >= limit


def _key(group, client, period, now):
    window = int(now // period)
    # An address is short; anything longer (a misconfigured proxy header) is hashed to fit the column.
    if len(client) > 64:
        client = hashlib.sha256(client.encode()).hexdigest()
    window_end = datetime.datetime.fromtimestamp((window + 1) * period, tz=datetime.UTC)
    return f"{KEY_PREFIX}{group}:{client}:{window}", window_end


def _redis():
    url = settings.REDIS_URL
    if url not in _redis_clients:  # one connection pool per process (redis-py makes a new one after a fork)
        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _redis_clients[url]


def _redis_hit(key, period):
    try:
        with _redis().pipeline(transaction=True) as pipe:
            count, _expiry_set = pipe.incr(key).expire(key, period).execute()
    except redis.RedisError:
        logger.warning("rate limit not counted: Redis unreachable")
        return None
    return count


def _database_hit(key, window_end, now):
    table = connection.ops.quote_name(RateCount._meta.db_table)
    column = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({column}, count, expires_at) VALUES (%s, 1, %s) "  # noqa: S608 (names, not data)
            f"ON CONFLICT ({column}) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, connection.ops.adapt_datetimefield_value(window_end)],
        )
        (count,) = cursor.fetchone()
    if count == 1:  # a new window for this client: clear the windows that are over
        RateCount.objects.filter(expires_at__lte=datetime.datetime.fromtimestamp(now, tz=datetime.UTC)).delete()
    return count
