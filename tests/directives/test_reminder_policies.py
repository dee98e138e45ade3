"""directives.reminder_policies: the one place that decides which policy applies."""

import pytest

from directives.models import ReminderPolicy
from directives.reminder_policies import policy_book, reminder_policy_for
from tests.directives.factories import DirectiveFactory

pytestmark = pytest.mark.django_db


def test_own_then_document_then_default_then_model_defaults(django_assert_num_queries):
    directive = DirectiveFactory()
    ReminderPolicy.objects.all().delete()  # the default a migration seeds, too
    with django_assert_num_queries(1):
        built = reminder_policy_for(directive)
    assert built.pk is None and built.is_default  # nothing saved: the model's defaults

    default = ReminderPolicy.objects.create(is_default=True, on_due_day=False)
    assert reminder_policy_for(directive) == default
    by_document = ReminderPolicy.objects.create(document=directive.document, overdue_every_days=5)
    assert reminder_policy_for(directive) == by_document
    own = ReminderPolicy.objects.create(directive=directive, overdue_every_days=9)
    assert reminder_policy_for(directive) == own


def test_book_answers_many_directives_from_one_query(django_assert_num_queries):
    first, second = DirectiveFactory(), DirectiveFactory()
    ReminderPolicy.objects.create(directive=first, overdue_every_days=9)
    ReminderPolicy.objects.create(document=second.document, overdue_every_days=5)
    with django_assert_num_queries(1):
        book = policy_book(
            directive_ids=[first.pk, second.pk],
            document_ids=[first.document_id, second.document_id],
        )
    with django_assert_num_queries(0):
        first_rules = book.rules(directive_id=first.pk, document_id=first.document_id)
        second_rules = book.rules(directive_id=second.pk, document_id=second.document_id)
    assert first_rules.overdue_every_days == 9
    assert second_rules.overdue_every_days == 5
