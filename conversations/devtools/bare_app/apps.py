from django.apps import AppConfig


class BareAppConfig(AppConfig):
    name = "conversations.devtools.bare_app"
    label = "bare_app"
