"""The API's verification links, written without reverse() for plain registry numbers, are what
reverse() writes, in both languages."""

import pytest
from django.urls import reverse
from django.utils import translation

from search.api import verification_url


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("number", ["CDL-2026-000123", "0", "M150100-00.1_2", "ñandú 1", "a b&c", ""])
def test_verification_url_is_what_reverse_writes(number, language):
    with translation.override(language):
        expected = reverse("registry:verify", args=[number]) if number else ""
        assert verification_url(number) == expected
        assert verification_url(number) == expected  # the kept ends too
    if number == "0" and language == "en":
        assert expected.startswith("/en/")
