"""gunicorn settings for production serving (`make serve`).

Environment: ``PORT`` (5000), ``HOST`` (127.0.0.1: a TLS-terminating reverse proxy is expected
in front; ``0.0.0.0`` in a container), ``WEB_CONCURRENCY`` (workers, default 2 x cores + 1),
``FORWARDED_ALLOW_IPS`` (read by gunicorn itself: proxies trusted for X-Forwarded-Proto).
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from directory.config import ConfigError, load_config

wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# gunicorn itself reads WEB_CONCURRENCY (and refuses a value that is not a number); this
# only sets the default when it is unset.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
accesslog = "-"  # access and error logs to the standard streams, for the process manager
errorlog = "-"


def on_starting(server) -> None:
    """Refuse a development configuration once, clearly, before any worker is forked."""
    try:
        load_config()
    except ConfigError as error:
        server.log.error("Refusing to start: %s", error)
        sys.exit(1)
