from django.apps import AppConfig


class OgcConfig(AppConfig):
    name = "apps.ogc"
    label = "ogc"
    verbose_name = "OGC API – Features"
