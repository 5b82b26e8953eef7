"""A status table as a researcher copies it from the UN Treaty Collection: the UN's names,
footnote numbers glued on, markers after the instrument's date, and a few rows that cannot
be read."""

from __future__ import annotations

HEADER = (
    "Participant\tSignature\tRatification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"
)

# (participant as printed, signature, instrument, party code or None when unreadable)
READABLE = [
    ("Iran (Islamic Republic of)", "20 Sep 2023", "", "IRN"),
    ("Democratic People's Republic of Korea", "", "3 Apr 2019 a", "PRK"),
    ("Türkiye", "20 Sep 2023", "12 Jan 2024", "TUR"),
    ("Côte d'Ivoire", "21 Sep 2023", "5 Mar 2024 A", "CIV"),
    ("Bolivia (Plurinational State of)", "20 Sep 2023", "", "BOL"),
    ("Venezuela (Bolivarian Republic of)", "", "9 Oct 2024 a", "VEN"),
    ("United Kingdom of Great Britain and Northern Ireland", "20 Sep 2023", "", "GBR"),
    ("Republic of Korea", "20 Sep 2023", "30 Jun 2024", "KOR"),
    ("Russian Federation", "", "", None),  # neither date: not read
    ("State of Palestine", "20 Sep 2023", "2 Jan 2024", "PSE"),
    ("European Union", "20 Sep 2023", "17 Jun 2024 AA", "EU"),
    ("Viet Nam", "20 Sep 2023", "", "VNM"),
    ("Republic of Moldova", "22 Sep 2023", "", "MDA"),
    ("United Republic of Tanzania", "", "1 Feb 2024 a", "TZA"),
    ("Netherlands (Kingdom of the)", "20 Sep 2023", "29 Feb 2024 A", "NLD"),
    ("Germany4", "20 Sep 2023", "11 Nov 2024", "DEU"),
    ("Denmark5,6", "20 Sep 2023", "8 Aug 2024 AA", "DNK"),
    ("China7", "20 Sep 2023", "", "CHN"),
    ("Atlantis", "20 Sep 2023", "", None),  # unknown participant
    ("France", "31 Feb 2024", "", None),  # bad date
    ("Japan", "20 Sep 2023", "1 Mar 2024 x", None),  # unknown marker
    ("Brazil", "20-Sep-23", "", None),  # two-digit year
    ("Chile", "20 Sep 2023", "13 Jun 2024", "CHL"),
    ("Mexico", "20 Sep 2023", "", "MEX"),
    ("Montenegro", "", "4 Apr 2024 d", "MNE"),
    ("Holy See", "20 Sep 2023", "", "VAT"),
    ("Seychelles", "20 Sep 2023", "22 May 2024 s", "SYC"),
    ("Monaco", "21 Sep 2023", "8 Oct 2024 c", "MCO"),
]
# Ordinary names, alternately signed only or signed and ratified, to reach 60 rows.
ORDINARY = [
    ("Argentina", "ARG"),
    ("Australia", "AUS"),
    ("Austria", "AUT"),
    ("Bangladesh", "BGD"),
    ("Belgium", "BEL"),
    ("Canada", "CAN"),
    ("Colombia", "COL"),
    ("Costa Rica", "CRI"),
    ("Cuba", "CUB"),
    ("Cyprus", "CYP"),
    ("Ecuador", "ECU"),
    ("Egypt", "EGY"),
    ("Fiji", "FJI"),
    ("Finland", "FIN"),
    ("Ghana", "GHA"),
    ("Greece", "GRC"),
    ("India", "IND"),
    ("Ireland", "IRL"),
    ("Italy", "ITA"),
    ("Kenya", "KEN"),
    ("Malta", "MLT"),
    ("Nepal", "NPL"),
    ("New Zealand", "NZL"),
    ("Norway", "NOR"),
    ("Panama", "PAN"),
    ("Peru", "PER"),
    ("Portugal", "PRT"),
    ("Senegal", "SEN"),
    ("Spain", "ESP"),
    ("Sweden", "SWE"),
    ("Uruguay", "URY"),
    ("Zambia", "ZMB"),
]
ROWS = READABLE + [
    (name, "20 Sep 2023", "" if i % 2 else f"{i % 27 + 1} Jul 2024", code)
    for i, (name, code) in enumerate(ORDINARY)
]
assert len(ROWS) == 60


def table(rows=ROWS, sep: str = "\t") -> str:  # type: ignore[no-untyped-def]
    """The table as pasted: a header line, then a line per row."""
    header = HEADER if sep == "\t" else HEADER.replace("\t", ",").replace(", A", " A")
    lines = [header]
    for name, signed, consented, _ in rows:
        cells = [name, signed, consented]
        if sep == ",":
            cells = [f'"{c}"' if "," in c else c for c in cells]
        lines.append(sep.join(cells))
    return "\n".join(lines) + "\n"


def readable(rows=ROWS) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return [row for row in rows if row[3] is not None]


def claim_count(rows=ROWS) -> int:  # type: ignore[no-untyped-def]
    return sum(bool(signed) + bool(consented) for _, signed, consented, _ in readable(rows))
