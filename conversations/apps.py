from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self):
        from conversations import checks, receivers  # noqa: F401  (registers checks, connects receivers)
