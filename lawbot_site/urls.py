from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("", include("chat.page.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("keys/", include("api_keys.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("v1/", include("chat.api.urls")),
    path("", include("chat.api.urls")),
]

handler404 = "lawbot_site.views.not_found"
handler500 = "lawbot_site.views.server_error"
