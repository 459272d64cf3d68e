from .choices import ApplicationStatus, Kind, LegalForm, StepStatus
from .documents import DocumentType, SupportingDocument
from .duplicates import DuplicateCandidate, DuplicateReason
from .formalization import FormalizationStep, OrganizationStep
from .membership import ConsentRecord, OrganizationInvitation, OrganizationMembership
from .municipality import Municipality, MunicipalStaffGroup, StaffRole, home_municipality
from .notifications import Channel, MessagingConsent, Notification
from .organization import Organization, OrganizationPhoto
from .paperwork import PaperworkDraft, PaperworkKind, PaperworkTemplate
from .people import DocumentKind, Person, PersonRole
from .privacy import PersonalDataRequest
from .reminders import ReminderKind, SentReminder
from .review import ListingReport, Observation, ObservationReason, RegistryCounter
from .taxonomy import District, Sector
from .workflow import RegistryReviewTask, ReviewStage

__all__ = [
    "ApplicationStatus",
    "Channel",
    "ConsentRecord",
    "District",
    "DocumentKind",
    "DocumentType",
    "DuplicateCandidate",
    "DuplicateReason",
    "FormalizationStep",
    "Kind",
    "LegalForm",
    "ListingReport",
    "MessagingConsent",
    "MunicipalStaffGroup",
    "Municipality",
    "Notification",
    "Observation",
    "ObservationReason",
    "Organization",
    "OrganizationInvitation",
    "OrganizationMembership",
    "OrganizationPhoto",
    "OrganizationStep",
    "PaperworkDraft",
    "PaperworkKind",
    "PaperworkTemplate",
    "Person",
    "PersonRole",
    "PersonalDataRequest",
    "RegistryCounter",
    "RegistryReviewTask",
    "ReminderKind",
    "ReviewStage",
    "Sector",
    "SentReminder",
    "StaffRole",
    "StepStatus",
    "SupportingDocument",
    "home_municipality",
]
