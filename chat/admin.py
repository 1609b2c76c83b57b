from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from chat.models import Conversation, Message


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyMixin, admin.TabularInline):
    model = Message
    # The reader's rating and note sit beside the answer they judge.
    fields = (
        "created",
        "role",
        "model",
        "status",
        "public_id",
        "content",
        "feedback",
        "feedback_note",
        "error",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "owner", "source", "api_key", "kept", "created", "updated", "ratings")
    list_select_related = ("owner", "api_key")
    search_fields = ("title", "owner__username", "public_id", "messages__public_id")
    list_filter = ("source", "kept", "updated")
    date_hierarchy = "updated"
    readonly_fields = (
        "owner",
        "title",
        "source",
        "api_key",
        "public_id",
        "kept",
        "created",
        "updated",
    )
    inlines = [MessageInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                liked=Count("messages", filter=Q(messages__feedback=1)),
                disliked=Count("messages", filter=Q(messages__feedback=-1)),
            )
        )

    @admin.display(description=_("feedback"))
    def ratings(self, obj: Conversation) -> str:
        return f"👍 {obj.liked} · 👎 {obj.disliked}" if obj.liked or obj.disliked else "—"
