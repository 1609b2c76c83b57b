"""The admin's console: API keys (secret shown once on creation), request logs, usage."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from api_keys.forms import ApiKeyAdminForm, model_choices
from api_keys.models import ApiKey, RequestLog
from api_keys.services import api_key_issue_secret, api_keys_revoke
from api_keys.usage import usage_context


class KeyStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "active"), ("revoked", "revoked"), ("expired", "expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        unrevoked = queryset.filter(revoked_at__isnull=True)
        if self.value() == "expired":
            return unrevoked.filter(expires_at__lte=now)
        if self.value() == "active":
            return unrevoked.exclude(expires_at__lte=now)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyAdminForm
    list_display = [
        "name",
        "user",
        "visible_prefix",
        "status",
        "created_at",
        "last_used_at",
        "expires_at",
        "limits",
    ]
    list_filter = [KeyStatusFilter, "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["visible_prefix", "created_at", "last_used_at", "revoked_at", "usage"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        fields = list(ApiKeyAdminForm.Meta.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description=_("prefix"), ordering="prefix")
    def visible_prefix(self, obj: ApiKey) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=_("limits"))
    def limits(self, obj: ApiKey) -> str:
        parts = [
            f"{obj.rpm_limit} rpm" if obj.rpm_limit else "",
            f"{obj.tpd_limit:,} tokens/day" if obj.tpd_limit else "",
            f"{obj.max_concurrent} at once" if obj.max_concurrent else "",
            ", ".join(obj.allowed_models),
        ]
        return " · ".join(p for p in parts if p) or "—"

    @admin.display(description=_("usage"))
    def usage(self, obj: ApiKey) -> str:
        url = reverse("admin:api_keys_usage") + f"?key={obj.pk}"
        logs = reverse("admin:api_keys_requestlog_changelist") + f"?api_key__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            url,
            _("Usage, last 30 days"),
            logs,
            _("Requests"),
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        count = api_keys_revoke(keys=queryset)
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change:
            # Kept on the request only, for the page that answers this POST: never stored.
            request.lawbot_new_secret = api_key_issue_secret(api_key=obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "lawbot_new_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API key “%(name)s” created") % {"name": obj.name},
            "api_key": obj,
            "secret": secret,
        }
        response = TemplateResponse(request, "admin/api_keys/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response


class ModelFilter(admin.SimpleListFilter):
    title = _("model")
    parameter_name = "model"

    def lookups(self, request, model_admin):
        return model_choices()

    def queryset(self, request, queryset):
        return queryset.filter(model=self.value()) if self.value() else queryset


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"
    STATUSES = ["200", "400", "401", "403", "404", "413", "429"]

    def lookups(self, request, model_admin):
        return [(s, s) for s in self.STATUSES] + [("5xx", "5xx"), ("errors", "any error")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "5xx":
            return queryset.filter(status_code__gte=500)
        if value == "errors":
            return queryset.filter(status_code__gte=400)
        return queryset.filter(status_code=int(value)) if value in self.STATUSES else queryset


@admin.register(RequestLog)
class RequestLogAdmin(admin.ModelAdmin):
    # Few, narrow columns, so that the list fits the admin's column at 1280 px without a scroll
    # bar hiding the outcome (the key names its user; the detail page has every field).
    list_display = [
        "time",
        "request",
        "key",
        "model",
        "status_code",
        "delivery",
        "latency",
        "tokens",
        "error_code",
    ]
    list_display_links = ["request"]
    list_filter = [
        "api_key",
        "user",
        ModelFilter,
        StatusFilter,
        "created_at",
        "streamed",
        "client_closed",
    ]
    search_fields = ["=request_id"]
    search_help_text = _("Exact request id (req_…), as sent in the x-request-id header.")
    list_select_related = ["api_key", "user"]
    # Counting a million rows for "show all" is slow and rarely useful.
    show_full_result_count = False
    change_list_template = "admin/api_keys/requestlog/change_list.html"
    fieldsets = [
        (None, {"fields": ["request_id", "created_at", "api_key", "user", "path", "model"]}),
        (
            "Outcome",
            {
                "fields": [
                    "status_code",
                    "error_code",
                    "error_message",
                    "streamed",
                    "client_closed",
                    "finish_reason",
                    "latency_ms",
                    "first_token_ms",
                    "prompt_tokens",
                    "completion_tokens",
                    "unverified_citations",
                ]
            },
        ),
        ("Content", {"fields": ["question", "answer"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(total_tokens=F("prompt_tokens") + F("completion_tokens"))
        )

    @admin.display(description=_("tokens"), ordering="total_tokens")
    def tokens(self, obj: RequestLog) -> int:
        return obj.prompt_tokens + obj.completion_tokens

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, obj: RequestLog) -> str:
        return timezone.localtime(obj.created_at).strftime("%m-%d %H:%M:%S")

    @admin.display(description=_("request id"), ordering="request_id")
    def request(self, obj: RequestLog) -> str:
        # Short in the list (the whole id is its tooltip and on the detail page).
        return format_html('<span title="{}">{}…</span>', obj.request_id, obj.request_id[:12])

    @admin.display(description=_("API key"), ordering="api_key__name")
    def key(self, obj: RequestLog) -> str:
        if obj.api_key is None:
            return "—"
        return format_html('<span title="{}…">{}</span>', obj.api_key.prefix, obj.api_key.name)

    @admin.display(description=_("latency (first token)"), ordering="latency_ms")
    def latency(self, obj: RequestLog) -> str:
        first = f" ({obj.first_token_ms:,})" if obj.first_token_ms is not None else ""
        return f"{obj.latency_ms:,} ms{first}"

    @admin.display(description=_("delivery"))
    def delivery(self, obj: RequestLog) -> str:
        kind = _("stream") if obj.streamed else _("JSON")
        return f"{kind}, {_('client closed')}" if obj.client_closed else kind

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # purge_logs applies the retention period

    def get_urls(self):
        usage = path("usage/", self.admin_site.admin_view(self.usage_view), name="api_keys_usage")
        return [usage, *super().get_urls()]

    def usage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        key = None
        if request.GET.get("key", "").isdigit():
            key = get_object_or_404(ApiKey.objects.select_related("user"), pk=request.GET["key"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Usage of %(key)s") % {"key": key}
            if key
            else _("Usage by key, last 30 days"),
            "api_key": key,
            **usage_context(keys=[key] if key else None),
        }
        return TemplateResponse(request, "admin/api_keys/usage.html", context)
