from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("accounts/", views.account_list, name="list"),
    path("accounts/<int:pk>/", views.account_detail, name="detail"),
]
