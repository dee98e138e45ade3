from django.apps import AppConfig


class ThadsConfig(AppConfig):
    name = "thads"
    verbose_name = "THADS"

    def ready(self) -> None:
        from thads.api import schema  # noqa: F401 - registers the OpenAPI extensions
