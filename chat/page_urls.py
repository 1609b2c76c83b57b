from django.urls import path

from chat import page_views, ui_views

urlpatterns = [
    path("", page_views.home, name="chat-home"),
    path("c/<int:pk>/", page_views.conversation_page, name="chat-conversation"),
    path("c/<int:pk>/rename", page_views.conversation_rename_view, name="chat-rename"),
    path("c/<int:pk>/delete", page_views.conversation_delete_view, name="chat-delete"),
    path("accounts/signup/", page_views.signup, name="signup"),
    path("api/ui/ask", ui_views.ask, name="ui-ask"),
    path("api/ui/conversations/<int:pk>/regenerate", ui_views.regenerate, name="ui-regenerate"),
    path("api/ui/messages/<int:pk>/stop", ui_views.stop, name="ui-stop"),
    path("api/ui/messages/<int:pk>/stream", ui_views.stream, name="ui-stream"),
]
