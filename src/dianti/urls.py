from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dianti.core import views as core_views
from dianti.core import views_account
from dianti.meetings.urls import public_urlpatterns as meetings_public
from dianti.rectification.urls import public_urlpatterns as rectification_public
from dianti.voices.urls import public_urlpatterns as voices_public

from .api import api

admin.site.site_header = _("点题述职 管理后台")
admin.site.site_title = _("点题述职")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views_account.otp_verify, name="otp_verify"),
    path("account/2fa/", views_account.otp_enrol, name="otp_enrol"),
    path("account/password/", views_account.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job_detail"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("orgs/", include("dianti.orgs.urls")),
    path("campaigns/", include("dianti.campaigns.urls")),
    path("p/", include("dianti.portal.urls")),
    path("voices/", include("dianti.voices.urls")),
    path("v/", include(voices_public)),
    path("meetings/", include("dianti.meetings.urls")),
    path("m/", include(meetings_public)),
    path("appraisal/", include("dianti.appraisal.urls")),
    path("rectification/", include("dianti.rectification.urls")),
    path("r/", include(rectification_public)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
