import pytest
from django.core.exceptions import ValidationError

from registry.validators import ruc_check_digit, validate_latitude, validate_ruc

# Real RUCs of well-known Peruvian entities (public at SUNAT).
REAL_RUCS = [
    "20131312955",  # SUNAT
    "20100047218",  # Banco de Crédito del Perú
    "20100070970",  # Supermercados Peruanos S.A.
]


@pytest.mark.parametrize("ruc", REAL_RUCS)
def test_real_rucs_are_valid(ruc):
    validate_ruc(ruc)


@pytest.mark.parametrize(
    ("ruc", "code"),
    [
        ("20131312954", "ruc_check_digit"),  # SUNAT's with the last digit changed
        ("20100047219", "ruc_check_digit"),
        ("2013131295", "ruc_length"),
        ("201313129551", "ruc_length"),
        ("2013131295A", "ruc_length"),
        ("30131312955", "ruc_prefix"),
        ("", "ruc_length"),
    ],
)
def test_invalid_rucs_say_why(ruc, code):
    with pytest.raises(ValidationError) as error:
        validate_ruc(ruc)
    assert error.value.code == code


def test_check_digit_maps_10_and_11():
    # A sum with remainder 1 gives 11 - 1 = 10, which SUNAT writes as 0.
    assert ruc_check_digit("2010007097") == 0


def test_latitude_outside_peru():
    validate_latitude(-12.05)
    with pytest.raises(ValidationError):
        validate_latitude(40.4)
