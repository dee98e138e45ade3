from django.apps import AppConfig


class ThadsConfig(AppConfig):
    name = "thads"
    verbose_name = "THADS"
