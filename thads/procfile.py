"""`make run`'s process manager: honcho, given the time the processes need to stop.

On Ctrl-C honcho sends SIGTERM to each Procfile process and SIGKILL to what still
runs 5 s later (`honcho.manager.KILL_WAIT`, which no option changes). That is
shorter than a clean stop: a Celery worker on the embedded filesystem broker
notices the signal only when its 2 s poll of the queue folder ends, then closes
its pool (about 5 s in all, measured), and it lets running tasks finish first;
gunicorn waits for open requests up to its graceful timeout (Procfile: 10 s).
Its clock, the time at the start of each console line, is in UTC like the
processes' own log lines (thads/logs.py). Everything else is honcho's own
`start`, arguments included.

    python -m thads.procfile start --procfile Procfile --env /dev/null --port 8000
"""

import os
import sys
import time

import honcho.manager
from honcho.command import main

# Longer than gunicorn's graceful timeout in the Procfile, so only a process that
# hangs is killed.
STOP_GRACE_SECONDS = 20


def run(argv: list[str] | None = None) -> None:
    honcho.manager.KILL_WAIT = STOP_GRACE_SECONDS
    os.environ["TZ"] = "UTC"
    time.tzset()
    main(argv)


if __name__ == "__main__":
    run(sys.argv[1:])
