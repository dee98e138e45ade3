"""gunicorn's settings for every way the API starts (`make run`'s Procfile, the
container image): gunicorn reads ./gunicorn.conf.py from its working directory.
Command-line options still win over what is set here.

Its log lines take the format of every other process (thads/logs.py: ISO 8601
in UTC). The access line carries no time of its own: the line's first field is
the instant.
"""

import os

from thads.logs import gunicorn_logging_config

logconfig_dict = gunicorn_logging_config(os.environ.get("LOG_LEVEL", "INFO"))
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The longest request line ("GET <uri> HTTP/1.1") gunicorn accepts, its maximum;
# the default 4094 is short for a list with several filters and `fields`. Past
# it gunicorn answers an HTML 414. Django refuses URIs over REQUEST_MAX_URI_BYTES
# (4096 by default) below this, in the API's JSON envelope (thads/middleware.py).
limit_request_line = 8190
