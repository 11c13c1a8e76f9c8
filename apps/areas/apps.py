from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "apps.areas"
    label = "areas"
    verbose_name = "Observed areas of control"

    def ready(self) -> None:
        from . import restore

        restore.connect()
