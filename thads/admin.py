"""Admin helpers shared by the apps."""

from django.core.exceptions import ValidationError
from django.db import transaction

from thads.errors import DomainError


class _DryRun(Exception):
    """Rolls back the service call made while validating the form."""


class ServiceAdminMixin:
    """An admin page whose saves go through a service.

    The service runs once while the form is validated, inside a transaction
    that is rolled back, so whatever it refuses shows as a form error (and the
    admin does not claim success); `save_model` then runs it for real.
    Subclasses implement `apply_service(request, form, change)` and return the
    saved object.
    """

    def apply_service(self, request, form, change):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    with transaction.atomic():
                        model_admin.apply_service(request, self, self.instance.pk is not None)
                        raise _DryRun
                except _DryRun:
                    pass
                except DomainError as exc:
                    raise ValidationError(str(exc.message), code=exc.code) from exc
                return cleaned

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        saved = self.apply_service(request, form, change)
        obj.pk = saved.pk
