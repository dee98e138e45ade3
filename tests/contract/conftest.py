"""The contract run's tally, printed after the tests: operations, requests, time."""

import pytest

from tests.contract import STATS_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config):
    stats = config.stash.get(STATS_KEY, None)
    if not stats:
        return
    operations = {operation for operation, _caller in stats}
    requests = sum(count for count, _seconds in stats.values())
    seconds = sum(seconds for _count, seconds in stats.values())
    slowest = sorted(stats.items(), key=lambda item: item[1][1], reverse=True)[:5]
    terminalreporter.section("OpenAPI contract run")
    terminalreporter.write_line(
        f"{len(operations)} operations × {len({c for _o, c in stats})} callers: "
        f"{requests} requests in {seconds:.1f} s"
    )
    for (operation, caller), (count, spent) in slowest:
        terminalreporter.write_line(f"  {spent:6.1f} s {count:5d} requests  {operation} [{caller}]")
