"""gunicorn settings that every way of starting the web process shares.

gunicorn reads ./gunicorn.conf.py from its working directory: the repository
for `make run` (Procfile), /app in the container image. Command-line options
still win over what is set here."""

# The longest request line ("GET <uri> HTTP/1.1") gunicorn accepts, its maximum;
# the default 4094 is short for a list with several filters and `fields`. Past
# it gunicorn answers an HTML 414. Django refuses URIs over REQUEST_MAX_URI_BYTES
# (4096 by default) below this, in the API's JSON envelope (thads/middleware.py).
limit_request_line = 8190
