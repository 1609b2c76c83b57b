from django.contrib import admin

from chat.models import Conversation, Message


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyMixin, admin.TabularInline):
    model = Message
    fields = ("created", "role", "model", "status", "public_id", "content", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "owner", "source", "api_key", "kept", "created", "updated")
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
