"""sync.feed's watermark arithmetic: pg_stat_activity's 32-bit transaction ids
widened to the change log's 64-bit ones."""

import pytest

from sync.feed.watermark import _widen

EPOCH = 1 << 32


@pytest.mark.parametrize(
    ("xid", "near", "expected"),
    [
        (53_861, 53_862, 53_861),  # the first epoch, just below
        (53_862, 53_862, 53_862),  # a running id may equal the next one...
        (53_870, 53_862, 53_870),  # ...or lie above it (assigned since)
        (7, 3 * EPOCH + 5, 3 * EPOCH + 7),  # a later epoch
        (EPOCH - 3, 3 * EPOCH + 5, 3 * EPOCH - 3),  # from before the wrap into this epoch
        (4, 3 * EPOCH - 2, 3 * EPOCH + 4),  # past the wrap, while `near` is still before it
    ],
)
def test_a_running_transaction_id_is_widened_to_the_one_nearest_the_next_id(xid, near, expected):
    assert _widen(xid, near) == expected
