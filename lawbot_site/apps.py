from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site's wiring as an app, so that its management commands (serve, setup_lawbot) load."""

    name = "lawbot_site"
    verbose_name = "Lawbot site"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from api_keys.forms import model_names_register
        from chat.answering.catalogue import MODELS
        from lawbot_site.connections import close_request_thread_connections

        model_names_register(list(MODELS))
        request_finished.connect(close_request_thread_connections, dispatch_uid="lawbot-close")
