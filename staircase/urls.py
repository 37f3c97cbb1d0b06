from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from staircase import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("auth/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("integrations.urls")),
    path("", include("customers.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
