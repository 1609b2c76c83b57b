from django.contrib import admin

from chat.models import Conversation, Message


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyMixin, admin.TabularInline):
    model = Message
    fields = ("created", "role", "model", "status", "content", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "owner", "created", "updated")
    list_select_related = ("owner",)
    search_fields = ("title", "owner__username")
    list_filter = ("updated",)
    date_hierarchy = "updated"
    readonly_fields = ("owner", "title", "created", "updated")
    inlines = [MessageInline]
