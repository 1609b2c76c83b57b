from django.urls import path

from api_keys import views

app_name = "api_keys"
urlpatterns = [
    path("", views.keys_page, name="list"),
    path("<int:pk>/", views.key_detail, name="detail"),
    path("<int:pk>/revoke/", views.key_revoke, name="revoke"),
]
