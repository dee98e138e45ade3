from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangelogConfig(AppConfig):
    name = "changelog"
    verbose_name = _("Nhật ký thay đổi")
