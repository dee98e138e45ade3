"""Retire cached users and scopes (`units.scope_cache`) whenever their rows change.

Receivers rather than calls in each service: a cached scope must never outlive a
change, whichever path made it (a service, the admin, a data migration,
`seed_demo`). They decide nothing and write nothing to the database. Bulk
`update()`s bypass them; the services that use one call `scope_changed` themselves.
"""

from django.db.models.signals import post_delete, post_save

from units import scope_cache
from units.models import LoginSession, Membership, OrgUnit, User


def _user_changed(sender, instance, **kwargs) -> None:
    scope_cache.scope_changed(user_ids=[instance.pk])


def _owner_changed(sender, instance, **kwargs) -> None:
    scope_cache.scope_changed(user_ids=[instance.user_id])


def _units_changed(sender, instance, **kwargs) -> None:
    scope_cache.scope_changed()


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_user_changed, sender=User, dispatch_uid=f"scope-user-{signal}")
        for model in (Membership, LoginSession):
            signal.connect(
                _owner_changed, sender=model, dispatch_uid=f"scope-{model.__name__}-{signal}"
            )
        signal.connect(_units_changed, sender=OrgUnit, dispatch_uid=f"scope-unit-{signal}")
