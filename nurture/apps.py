from django.apps import AppConfig


class NurtureConfig(AppConfig):
    name = "nurture"
