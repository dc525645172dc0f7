"""Security events in the log: by user id only, never a username or email (usernames are often emails)."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out

logger = logging.getLogger("coprod.security")


def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s", user.pk)


def log_logout(sender, request, user, **kwargs):
    logger.info("logout user=%s", getattr(user, "pk", None))


def log_lockout(sender, request, **kwargs):
    logger.warning("login locked out after repeated failures")


def connect():
    user_logged_in.connect(log_login, dispatch_uid="coprod_log_login")
    user_logged_out.connect(log_logout, dispatch_uid="coprod_log_logout")
    user_locked_out.connect(log_lockout, dispatch_uid="coprod_log_lockout")
