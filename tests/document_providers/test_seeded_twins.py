"""Every provider: same seed, same documents; another seed, other documents."""

from __future__ import annotations

import pytest

from datagen import create_provider
from datagen.documents import DOCUMENT_PROVIDERS
from tests.document_providers import BUILT_IN_DOCUMENTS


@pytest.mark.parametrize("name", sorted(BUILT_IN_DOCUMENTS))
def test_same_seed_same_documents(name):
    first = create_provider(name, seed=42).generate_many(25)
    twin = create_provider(name, seed=42).generate_many(25)
    assert first == twin
    assert create_provider(name, seed=43).generate_many(25) != first
    ids = [document["id"] for document in first]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name", sorted(BUILT_IN_DOCUMENTS))
def test_reseeding_is_the_same_as_a_fresh_provider(name):
    """Blocks reuse one provider and reseed it, so --workers cannot matter."""
    reused = create_provider(name, seed=1)
    reused.generate_many(7)
    reused.reseed(99)
    assert reused.generate_many(10) == create_provider(name, seed=99).generate_many(10)


@pytest.mark.parametrize("locale", ["en", "de", "ja"])
def test_the_locale_is_part_of_the_twin(locale):
    first = create_provider("customer", locale=locale, seed=3).generate_many(5)
    assert create_provider("customer", locale=locale, seed=3).generate_many(5) == first


def test_every_registered_provider_is_tested():
    built_in = {
        name
        for name in DOCUMENT_PROVIDERS
        if DOCUMENT_PROVIDERS.origin(name).startswith("document_providers.")
    }
    assert built_in == BUILT_IN_DOCUMENTS
