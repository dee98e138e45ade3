from django.http import JsonResponse

from thads import health


def healthz(request):
    """The process is alive; touches nothing else, so a database outage does not
    make the orchestrator restart healthy web processes."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    problems = health.readiness()
    failing = {part: problem for part, problem in problems.items() if problem}
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing}, status=503)
    return JsonResponse({"status": "ok"})
