from django.apps import AppConfig


class NurtureConfig(AppConfig):
    name = "nurture"

    def ready(self):
        from nurture import receivers  # noqa: F401  (connects the signal receivers)
