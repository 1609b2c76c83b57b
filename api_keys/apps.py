from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_recent_keys(**kwargs) -> None:
    from api_keys.services import recent_keys

    recent_keys.clear()


class ApiKeysConfig(AppConfig):
    name = "api_keys"
    verbose_name = _("API keys")

    def ready(self) -> None:
        # A key or user edited in this process (revoked, restricted, deactivated) is looked up
        # afresh by the next request, not served from the one-second cache.
        for model in ("api_keys.ApiKey", settings.AUTH_USER_MODEL):
            post_save.connect(_forget_recent_keys, sender=model, dispatch_uid=f"keys-{model}")
            post_delete.connect(_forget_recent_keys, sender=model, dispatch_uid=f"keys-d-{model}")
