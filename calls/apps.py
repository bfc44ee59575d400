from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls import services
        from conversations import windows

        # Calls count against a state's cap where it counts calls and texts together.
        windows.register_call_source(services.call_attempt_times)
