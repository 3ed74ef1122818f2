from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dianti.core import views as core_views
from dianti.core import views_account, views_outbound, views_tokens
from dianti.core.components import components

from .api import api

admin.site.site_header = _("点题述职 管理后台")
admin.site.site_title = _("点题述职")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", core_views.home, name="home"),
    path("todo/nav/", core_views.todo_nav, name="todo_nav"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views_account.otp_verify, name="otp_verify"),
    path("account/2fa/", views_account.otp_enrol, name="otp_enrol"),
    path("account/password/", views_account.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/file", core_views.job_file, name="job_file"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("exports/", core_views.exports_centre, name="exports"),
    path("events/failures/", core_views.event_failures, name="event_failures"),
    path("outbound/", views_outbound.outbound_list, name="outbound_list"),
    path("outbound/m/<str:batch>/", views_outbound.outbound_batch, name="outbound_batch"),
    path("outbound/<int:pk>/resend/", views_outbound.outbound_resend, name="outbound_resend"),
    path("outbound/receipts/<str:channel>/<str:token>/", views_outbound.outbound_receipt, name="outbound_receipt"),
    path("events/failures/<int:pk>/retry/", core_views.event_retry, name="event_retry"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
# Each step of the cycle mounts its own pages (core/components.py): staff pages and public ones (no login).
for component in components():
    if component.urls:
        urlpatterns.append(path(component.prefix, include(component.urls)))
    if component.public_urls:
        urlpatterns.append(path(component.public_prefix, include(component.public_urls)))

