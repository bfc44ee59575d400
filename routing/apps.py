from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self):
        from routing import receivers  # noqa: F401  (connects the signal receivers)
