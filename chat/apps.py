from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _purge_api_conversations(sender, *, older_than_days: int, batch_size: int, **kwargs):
    from chat.history import api_conversations_purge

    count = api_conversations_purge(older_than_days=older_than_days, batch_size=batch_size)
    return "conversations stored over the API", count


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from api_keys.signals import retention_due

        retention_due.connect(_purge_api_conversations, dispatch_uid="chat-api-conversations")
