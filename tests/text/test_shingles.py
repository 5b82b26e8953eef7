"""MinHash signatures: the quick minimum gives the numbers the plain one gave, so signatures
stored before it compare with those made now."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from tracker.text.shingles import _XORS, _hash, _hashes, shingles, signature


def _plain_signature(shingle_set: set[str]) -> list[int] | None:
    """The signature as it was first computed (and stored): the minimum over every hash."""
    if not shingle_set:
        return None
    hashes = [_hash(s) for s in shingle_set]
    return [min(h ^ mask for h in hashes) for mask in _XORS]


@given(st.sets(st.text(max_size=12), max_size=300))
def test_the_signature_is_the_plain_minimum_of_each_permutation(shingle_set):
    assert signature(shingle_set) == _plain_signature(shingle_set)


def test_a_signature_is_what_earlier_releases_stored():
    sig = signature(shingles("the treaty on comprehensive strategic partnership was signed"))
    assert sig[:3] == [849407313380165937, 269802286196954841, 321494925935282989]
    assert len(sig) == 64 and all(0 <= v < 2**62 for v in sig)


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_a_shingle_hashes_as_a_blake2b_made_afresh_did(shingle):
    """The hasher is copied from an empty one: the same 8-byte BLAKE2b as one made anew."""
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    assert _hash(shingle) == int.from_bytes(digest) & (2**62 - 1)
    assert _hashes({shingle}) == {_hash(shingle)}
