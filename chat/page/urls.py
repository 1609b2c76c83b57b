from django.urls import path

from chat.page import actions, views

urlpatterns = [
    path("", views.home, name="chat-home"),
    path("c/<int:pk>/", views.conversation_page, name="chat-conversation"),
    path("c/<int:pk>/rename", views.conversation_rename_view, name="chat-rename"),
    path("c/<int:pk>/delete", views.conversation_delete_view, name="chat-delete"),
    path("c/<int:pk>/keep", views.conversation_keep_view, name="chat-keep"),
    path("c/<int:pk>/export.md", views.conversation_export_markdown, name="chat-export-md"),
    path("c/<int:pk>/print", views.conversation_print, name="chat-print"),
    path("s/<str:token>/", views.shared_conversation, name="chat-shared"),
    path("accounts/signup/", views.signup, name="signup"),
    path("api/ui/ask", actions.ask, name="ui-ask"),
    path("api/ui/conversations/<int:pk>/regenerate", actions.regenerate, name="ui-regenerate"),
    path("api/ui/messages/<int:pk>/stop", actions.stop, name="ui-stop"),
    path("api/ui/messages/<int:pk>/edit", actions.edit, name="ui-edit"),
    path("api/ui/messages/<int:pk>/feedback", actions.feedback, name="ui-feedback"),
    path("api/ui/conversations/<int:pk>/share", actions.share, name="ui-share"),
    path("api/ui/search", actions.search, name="ui-search"),
    path("api/ui/messages/<int:pk>/stream", actions.stream, name="ui-stream"),
]
