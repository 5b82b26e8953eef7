"""Near-duplicate detection measured on the labelled pairs in tests/data/duplicates.json.

    python -m bench.duplicates

Prints precision and recall at several thresholds of estimated Jaccard similarity (MinHash
of word 3-grams of the normalised text), the numbers behind DUPLICATE_THRESHOLD.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from tracker.text.normalise import normalise
from tracker.text.shingles import shingles, signature, similarity

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "duplicates.json"


def texts() -> dict[str, str]:
    """Every story and every republished variant, by name."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    out = {name: "\n".join(paragraphs) for name, paragraphs in data["stories"].items()}
    for name, spec in data["variants"].items():
        paragraphs = list(data["stories"][spec["story"]])
        for index, replacement in spec.get("replace", {}).items():
            paragraphs[int(index)] = replacement
        for index in sorted(spec.get("drop", []), reverse=True):
            del paragraphs[index]
        if "append" in spec:
            paragraphs.append(spec["append"])
        if "lead" in spec:
            paragraphs[0] = f"{spec['lead']} {paragraphs[0]}"
        out[name] = "\n".join(paragraphs)
    return out


def pairs() -> list[tuple[str, str, bool]]:
    """(a, b, same story?) for every two texts in one language."""
    names = sorted(texts())
    labelled = []
    for a, b in itertools.combinations(names, 2):
        if a[:2] != b[:2]:
            continue  # another language: trivially different
        labelled.append((a, b, a[:3] == b[:3]))
    return labelled


def scores() -> list[tuple[float, bool]]:
    sigs = {name: signature(shingles(normalise(text))) for name, text in texts().items()}
    return [(similarity(sigs[a], sigs[b]), same) for a, b, same in pairs()]


def evaluate(
    threshold: float, scored: list[tuple[float, bool]] | None = None
) -> tuple[float, float]:
    """Precision and recall of "similarity >= threshold" as the duplicate test."""
    scored = scored if scored is not None else scores()
    found = [(score >= threshold, same) for score, same in scored]
    true_positive = sum(1 for hit, same in found if hit and same)
    predicted = sum(1 for hit, _ in found if hit)
    actual = sum(1 for _, same in found if same)
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return precision, recall


def main() -> None:
    scored = scores()
    same = sorted(s for s, is_same in scored if is_same)
    other = sorted(s for s, is_same in scored if not is_same)
    print(
        f"{len(same)} true pairs (lowest similarity {same[0]:.2f}), "
        f"{len(other)} false pairs (highest {other[-1]:.2f})"
    )
    print("| threshold | precision | recall |")
    print("|---|---|---|")
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        precision, recall = evaluate(threshold, scored)
        print(f"| {threshold:.1f} | {precision:.2f} | {recall:.2f} |")


if __name__ == "__main__":
    main()
