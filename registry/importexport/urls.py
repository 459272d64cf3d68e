"""Public open-data downloads (included at the site root by config/urls.py)."""

from django.urls import path

from . import views

app_name = "registry_importexport_public"

urlpatterns = [
    path("datos-abiertos/hsds.json", views.hsds_json, name="hsds"),
    path("datos-abiertos/directorio.csv", views.public_csv, name="csv"),
    path("datos-abiertos/directorio.xlsx", views.public_xlsx, name="xlsx"),
]
