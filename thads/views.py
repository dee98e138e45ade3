from django.shortcuts import render
from django.utils import translation
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error

from thads import health
from thads.api.exceptions import GENERIC_MESSAGES
from thads.http import json_response


def home(request):
    """The base URL: what this server is and where to go (admin, API, its docs),
    in the language of Accept-Language. The admin's "view site" leads here."""
    return render(request, "thads/home.html")


def healthz(request):
    """The process is alive; touches nothing else, so a database outage does not
    make the orchestrator restart healthy web processes."""
    return json_response({"status": "ok"})


def readyz(request):
    problems = health.readiness()
    failing = {part: problem for part, problem in problems.items() if problem}
    if failing:
        return json_response({"status": "unavailable", "failing": failing}, status=503)
    return json_response({"status": "ok"})


def not_found(request, exception=None):
    """404 for an unknown path: the API's envelope under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        with translation.override(translation.get_language_from_request(request)):
            return json_response(
                {"code": "not_found", "message": str(GENERIC_MESSAGES["not_found"])}, status=404
            )
    return page_not_found(request, exception)


def server_error(request):
    """500: the API's envelope under /api/ (a phone parses every answer as JSON),
    Django's page elsewhere. The error itself is logged by Django before this."""
    if request.path.startswith("/api/"):
        with translation.override(translation.get_language_from_request(request)):
            return json_response(
                {"code": "server_error", "message": str(GENERIC_MESSAGES["server_error"])},
                status=500,
            )
    return html_server_error(request)
