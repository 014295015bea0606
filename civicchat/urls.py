from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth, so its rate limits, e-mail verification and
# two-factor authentication apply there too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "CivicChat administration"
admin.site.site_title = "CivicChat admin"

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("events.urls")),
    path("", include("recaps.urls")),
    path("staff/chats/", include("events.staff_urls")),
    path("staff/recaps/", include("recaps.staff_urls")),
    path("staff/webhooks/", include("webhooks.urls")),
    path("liaisons/", include("liaisons.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include("civicchat.api_router")),
    path("profile/api-tokens/", include("api.token_urls")),
    path("admin/", admin.site.urls),
]
