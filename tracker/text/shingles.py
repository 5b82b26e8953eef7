"""Word shingles, MinHash signatures and LSH bands for finding near-duplicate articles.

The same story republished by several outlets differs in a first line, a few edits, a
byline; its paragraphs stay. Over the normalised text, the Jaccard similarity of the sets of
word 3-grams stays high for such copies and low for different stories on the same topic.
A MinHash signature estimates that similarity from 64 numbers; LSH bands (16 bands of 4)
find the candidates to compare without reading every article.
"""

from __future__ import annotations

import hashlib
import random
import re
from bisect import bisect_left

SHINGLE_WORDS = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
_MASK = (1 << 62) - 1
# Fixed masks: signatures must compare across processes and releases.
_XORS = [random.Random(20240115 + i).getrandbits(62) for i in range(PERMUTATIONS)]
_WORD = re.compile(r"\w+")


def shingles(normalised: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of `size`-word runs of a normalised text (the whole text if shorter)."""
    words = _WORD.findall(normalised)
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


# An empty 8-byte BLAKE2b state to copy: copying it is about a third cheaper than setting up
# a new one for each of an article's hundreds of shingles, and hashes the same.
_BLAKE2B_8 = hashlib.blake2b(digest_size=8)


def _hash(shingle: str) -> int:
    hasher = _BLAKE2B_8.copy()
    hasher.update(shingle.encode("utf-8"))
    return int.from_bytes(hasher.digest()) & _MASK


def signature(shingle_set: set[str]) -> list[int] | None:
    """64 minima of the shingles' hashes under fixed XOR permutations; None for no text.

    The same numbers as `min(h ^ mask for h in hashes)` for each mask (signatures stored
    earlier stay comparable), found in about log2(n) steps per mask instead of n: in the
    sorted hashes, those sharing the smallest XOR's leading bits are a contiguous run.
    """
    if not shingle_set:
        return None
    hashes = sorted(_hashes(shingle_set))
    return [_min_xor(hashes, xor) for xor in _XORS]


def _hashes(shingle_set: set[str]) -> set[int]:
    """Each shingle's `_hash`, the loop written out: it runs for every shingle of every
    article an import signs."""
    fresh, from_bytes, mask = _BLAKE2B_8.copy, int.from_bytes, _MASK
    found = set()
    for shingle in shingle_set:
        hasher = fresh()
        hasher.update(shingle.encode())
        found.add(from_bytes(hasher.digest()) & mask)
    return found


def _min_xor(hashes: list[int], xor: int) -> int:
    """min(h ^ xor for h in hashes), `hashes` sorted, distinct and below 2**62: bit by bit
    from the top, keep the part of the run whose bit equals xor's (if any is left)."""
    lo, hi, prefix, bit = 0, len(hashes), 0, 1 << 61
    while hi - lo > 1:
        # hashes[lo:hi] all start with `prefix` above `bit`; those from `split` have it set.
        split = bisect_left(hashes, prefix | bit, lo, hi)
        if xor & bit:
            if split < hi:
                lo, prefix = split, prefix | bit
        elif split > lo:
            hi = split
        else:
            prefix |= bit
        bit >>= 1
    return hashes[lo] ^ xor


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity: the share of positions where the signatures agree."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def bands(sig: list[int]) -> list[int]:
    """One bucket number per band (63-bit, fits a signed BIGINT)."""
    buckets = []
    for band in range(BANDS):
        rows = ",".join(str(v) for v in sig[band * ROWS : (band + 1) * ROWS])
        buckets.append(_hash(f"{band}:{rows}"))
    return buckets
