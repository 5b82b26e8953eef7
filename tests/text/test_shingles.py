"""MinHash signatures: the quick minimum gives the numbers the plain one gave, so signatures
stored before it compare with those made now."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.text.shingles import _XORS, _hash, shingles, signature


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
