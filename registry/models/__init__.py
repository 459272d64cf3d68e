from .choices import ApplicationStatus, Kind, LegalForm, StepStatus
from .documents import DocumentType, SupportingDocument
from .duplicates import DuplicateCandidate, DuplicateReason
from .formalization import FormalizationStep, OrganizationStep
from .membership import ConsentRecord, OrganizationInvitation, OrganizationMembership
from .municipality import Municipality, MunicipalStaffGroup, StaffRole, home_municipality
from .organization import Organization, OrganizationPhoto
from .people import DocumentKind, Person, PersonRole
from .privacy import PersonalDataRequest
from .review import ListingReport, Observation, ObservationReason, RegistryCounter
from .taxonomy import District, Sector
from .workflow import RegistryReviewTask, ReviewStage

__all__ = [
    "ApplicationStatus",
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
    "MunicipalStaffGroup",
    "Municipality",
    "Observation",
    "ObservationReason",
    "Organization",
    "OrganizationInvitation",
    "OrganizationMembership",
    "OrganizationPhoto",
    "OrganizationStep",
    "Person",
    "PersonRole",
    "PersonalDataRequest",
    "RegistryCounter",
    "RegistryReviewTask",
    "ReviewStage",
    "Sector",
    "StaffRole",
    "StepStatus",
    "SupportingDocument",
    "home_municipality",
]
