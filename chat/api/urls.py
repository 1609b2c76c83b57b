from django.urls import include, path

from chat.api import views as api_views

urlpatterns = [
    path("chat/completions", api_views.chat_completions),
    path("models", api_views.models),
    path("models/<path:model_id>", api_views.model_detail),
    path("healthz", api_views.healthz),
    path("openapi.json", api_views.openapi_json),
    path("docs", api_views.docs),
    path("", include("chat.api.rest.urls")),
]
