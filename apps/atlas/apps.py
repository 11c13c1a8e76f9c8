from django.apps import AppConfig


class AtlasConfig(AppConfig):
    name = "apps.atlas"
    label = "atlas"
