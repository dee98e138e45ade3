import pytest

# (operation label, caller) → [requests sent, seconds]: filled by test_schemathesis.py,
# printed at the end of the run by conftest.py.
STATS_KEY = pytest.StashKey[dict]()
