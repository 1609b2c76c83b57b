from django.urls import include, path

from chat.api import responses_views, stored_views
from chat.api import views as api_views

urlpatterns = [
    path("chat/completions", api_views.chat_completions),
    path("chat/completions/<str:completion_id>", stored_views.completion_detail),
    path("chat/completions/<str:completion_id>/messages", stored_views.completion_messages),
    path("responses", responses_views.responses),
    path("responses/<str:response_id>", responses_views.response_detail),
    path("responses/<str:response_id>/input_items", responses_views.response_input_items),
    path("models", api_views.models),
    path("models/<path:model_id>", api_views.model_detail),
    path("healthz", api_views.healthz),
    path("openapi.json", api_views.openapi_json),
    path("docs", api_views.docs),
    path("", include("chat.api.rest.urls")),
]
