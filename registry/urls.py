from django.urls import path

from .views import applicant, verification

app_name = "registry"

urlpatterns = [
    path("empezar/", applicant.start, name="start"),
    path("mis-registros/", applicant.my_registrations, name="my_registrations"),
    path("verify/<str:registry_number>/", verification.verify, name="verify"),
]
