"""Which reminder policy applies: the directive's own, else its document's,
else the default, else one built from the model's defaults (never saved).

The one place that decides it, for one directive (an assignment's next
reminder) and for many at once (the sweep, one query per batch).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from directives.models import Directive, ReminderPolicy
from directives.reminder_points import PolicyRules


class PolicyBook:
    """The policies of some directives and documents, and the default; each
    policy's rules are built once, not once per question."""

    def __init__(self, policies: Iterable[ReminderPolicy]) -> None:
        self._by_directive: dict[int, tuple[ReminderPolicy, PolicyRules]] = {}
        self._by_document: dict[int, tuple[ReminderPolicy, PolicyRules]] = {}
        default = ReminderPolicy(is_default=True)
        self._default = (default, PolicyRules.of(default))
        for policy in policies:
            entry = (policy, PolicyRules.of(policy))
            if policy.directive_id is not None:
                self._by_directive[policy.directive_id] = entry
            elif policy.document_id is not None:
                self._by_document[policy.document_id] = entry
            elif policy.is_default:
                self._default = entry

    def _entry(self, directive_id: int, document_id: int) -> tuple[ReminderPolicy, PolicyRules]:
        return (
            self._by_directive.get(directive_id)
            or self._by_document.get(document_id)
            or self._default
        )

    def policy(self, *, directive_id: int, document_id: int) -> ReminderPolicy:
        return self._entry(directive_id, document_id)[0]

    def rules(self, *, directive_id: int, document_id: int) -> PolicyRules:
        return self._entry(directive_id, document_id)[1]


def policy_book(*, directive_ids: Iterable[int], document_ids: Iterable[int]) -> PolicyBook:
    """The policies that can apply to these directives and documents, in one query."""
    return PolicyBook(
        ReminderPolicy.objects.filter(
            Q(directive_id__in=set(directive_ids))
            | Q(document_id__in=set(document_ids))
            | Q(is_default=True)
        )
    )


def reminder_policy_for(directive: Directive) -> ReminderPolicy:
    """The policy that applies to `directive` (one query)."""
    book = policy_book(directive_ids=[directive.pk], document_ids=[directive.document_id])
    return book.policy(directive_id=directive.pk, document_id=directive.document_id)
