from django.apps import AppConfig
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"

    def ready(self) -> None:
        from .roles import ensure_roles

        # After territory's permissions exist: they are created by their own post_migrate.
        post_migrate.connect(ensure_roles, dispatch_uid="frontline-ensure-roles")
