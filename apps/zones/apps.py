from django.apps import AppConfig


class ZonesConfig(AppConfig):
    name = "apps.zones"
    label = "zones"
    verbose_name = "Derived zones"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
