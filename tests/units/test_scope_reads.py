"""The reads that follow `user_scope`: the raw-SQL form of a scope's units, and
the sign-in sessions and reminder ledger rows a caller may see."""

import pytest

from reminders.selectors import ledger_list
from units.models import LoginSession
from units.selectors import NO_SCOPE, login_session_get, login_session_list, user_scope

pytestmark = pytest.mark.django_db


def test_unit_sql_matches_unit_filter(director, head, officer):
    assert user_scope(user=director).unit_sql("a.unit_id") is None  # every unit
    assert NO_SCOPE.unit_sql("a.unit_id") == ("1 = 0", [])
    scope = user_scope(user=head)
    condition, ids = scope.unit_sql("a.unit_id")
    assert ids == sorted(scope.visible_unit_ids) and len(ids) > 1  # the unit and those below
    assert condition == f"a.unit_id IN ({', '.join(['%s'] * len(ids))})"
    assert user_scope(user=officer).unit_sql("u")[1] == sorted(
        user_scope(user=officer).visible_unit_ids
    )


def test_sessions_own_for_members_anyones_for_leadership(director, officer):
    mine = LoginSession.objects.create(user=officer, device_name="phone")
    theirs = LoginSession.objects.create(user=director, device_name="desk")

    assert list(login_session_list(user=officer)) == [mine]
    assert list(login_session_list(user=officer, of_user=director.pk)) == [mine]  # ignored
    assert list(login_session_list(user=director, of_user=officer.pk)) == [mine]
    assert list(login_session_list(user=director)) == [theirs]

    assert login_session_get(user=officer, pk=mine.pk) == mine
    assert login_session_get(user=officer, pk=theirs.pk) is None
    assert login_session_get(user=director, pk=mine.pk) == mine


def test_the_ledger_is_leaderships_only(director, officer):
    assert ledger_list(user=director).query.is_empty() is False
    assert ledger_list(user=officer).query.is_empty() is True
