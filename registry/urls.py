from django.urls import path

from .views import applicant, documents, messaging_consent, paperwork, reminders, verification, wizard

app_name = "registry"

urlpatterns = [
    path("empezar/", applicant.start, name="start"),
    path("mis-registros/", applicant.my_registrations, name="my_registrations"),
    path("mis-registros/nuevo/", wizard.new_application, name="application_new"),
    path("mis-registros/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("mis-registros/<int:pk>/confirmar/", applicant.confirm_listing, name="confirm_listing"),
    path("mis-registros/<int:pk>/invitar/", applicant.invite_manager, name="invite_manager"),
    path("mis-registros/<int:pk>/paso/<slug:step>/", wizard.wizard_step, name="wizard"),
    path(
        "mis-registros/<int:pk>/documentos/<int:document_pk>/",
        documents.download_document,
        name="document_download",
    ),
    path(
        "mis-registros/<int:pk>/documentos/<int:document_pk>/borrar/",
        wizard.delete_document,
        name="document_delete",
    ),
    path("invitacion/<str:token>/", applicant.accept_invitation, name="accept_invitation"),
    path("mi-cuenta/datos/", applicant.my_data, name="my_data"),
    path("mi-cuenta/datos/descargar/", applicant.download_my_data, name="download_my_data"),
    path("mi-cuenta/avisos/", messaging_consent.give, name="messaging_consent"),
    path("mi-cuenta/avisos/retirar/", messaging_consent.withdraw_view, name="messaging_consent_withdraw"),
    path("mi-cuenta/borrar/", applicant.delete_my_account, name="delete_my_account"),
    path("verify/", verification.lookup, name="verify_lookup"),
    path("verify/<str:registry_number>/", verification.verify, name="verify"),
    path("verify/<str:registry_number>/certificate/", verification.certificate, name="certificate"),
    path(
        "verify/<str:registry_number>/certificate.pdf", verification.certificate_pdf, name="certificate_pdf"
    ),
    path("mis-registros/<int:pk>/comprobar/", reminders.check_listing, name="check_listing"),
    path("mis-registros/<int:pk>/papeles/", paperwork.prepare, name="paperwork_prepare"),
    path(
        "mis-registros/<int:pk>/papeles/<int:draft_pk>.<str:file_format>",
        paperwork.download,
        name="paperwork_download",
    ),
]
