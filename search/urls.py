from django.urls import path

from . import figures
from .api import api

urlpatterns = [path("api/v1/", api.urls)]

# Public pages in both languages (config.urls puts them under its i18n patterns).
public_urlpatterns = [
    path("cifras/", figures.figures_page, name="figures"),
    path("cifras/<slug:figure>.csv", figures.figure_csv, name="figure_csv"),
]
