from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    # Not "statistics": a top-level package of that name would shadow the
    # standard library module that numpy, hypothesis and others import.
    name = "enforcement"
    verbose_name = _("Thống kê thi hành án dân sự")
