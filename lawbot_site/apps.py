from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site's wiring as an app, so that its management commands (serve, setup_lawbot) load."""

    name = "lawbot_site"
    verbose_name = "Lawbot site"

    def ready(self) -> None:
        from api_keys.forms import model_names_register
        from chat.answering.catalogue import MODELS

        model_names_register(list(MODELS))
