from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self):
        from conversations import receivers  # noqa: F401  (connects the signal receivers)
