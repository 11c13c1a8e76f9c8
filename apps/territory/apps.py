from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "apps.territory"
    label = "territory"
