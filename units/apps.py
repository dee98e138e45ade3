from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Đơn vị và người dùng")

    def ready(self):
        from units import (
            schema,  # noqa: F401 - registers the OpenAPI extensions
            signals,
        )

        signals.connect()
