"""gunicorn's settings, read from the working folder by `make serve` and by the tests' servers.

The access log goes to standard output and names no one and nothing searched: the method, the
path without its query string (%(U)s), the status, the size and the time. Search terms are health
data, and an address beside a page about alcohol or grief says something about a person.

gunicorn's own error log would still write whole request lines (a worker timeout logs "Error
handling request GET /en/search/?q=…") and client addresses ("Invalid request from ip=…"), and
links from our emails carry secret tokens in their paths: a filter on every handler cuts query
strings, addresses and those tokens out of both logs (healingtogether/lib/logfilters.py).
"""

import os


def _workers() -> int:
    """WEB_CONCURRENCY worker processes, by default one per core this process may run on. Each
    worker serves one request at a time and keeps its own search snapshot in memory."""
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return len(os.sched_getaffinity(0)) or os.cpu_count() or 1
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise SystemExit(f"WEB_CONCURRENCY must be a whole number of 1 or more, not {value!r}")
    return int(value)


workers = _workers()

accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# A worker busy longer than this is killed and replaced (the client gets no answer).
timeout = 30
# Request lines longer than this (bytes) are refused with 414 before any of our code runs.
limit_request_line = 4094

_PRIVATE = {"()": "healingtogether.lib.logfilters.PrivateRequestFilter"}

# Merged by gunicorn over its defaults (gunicorn.glogging.CONFIG_DEFAULTS): these keys replace
# theirs.
logconfig_dict = {
    "filters": {"private": _PRIVATE},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["private"],
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["private"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["private"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}


def post_worker_init(worker):
    """Start building this worker's search snapshot and its meaning matrix (with the model) at
    once, in a thread: at 100,000 groups they take seconds, which the worker's first search
    would otherwise wait for from the start.
    The worker serves meanwhile (a search waits for the build, anything else does not). When
    the database cannot answer yet, the first search builds it, as it always could."""
    import threading

    threading.Thread(target=_warm_search, args=(worker.log,), daemon=True).start()


def _warm_search(log):
    import time

    from django.db import connections

    from healingtogether.search import meaning, snapshot

    try:
        started = time.monotonic()
        snap = snapshot.current()
        took = time.monotonic() - started
        log.info("search snapshot ready: %d groups in %.1f s", snap.size, took)
        meaning.matrix_for(snap)
    except Exception as error:  # noqa: BLE001 - whatever it is, the first search tries again
        log.warning("search snapshot not built at start (%s): the first search builds it", error)
    finally:
        connections.close_all()  # this thread's own connection
