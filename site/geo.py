"""US states and the text folding that makes market search forgiving."""

from __future__ import annotations

import re
import unicodedata

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "PR": "Puerto Rico",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}

# Abbreviations people type either way; both sides of a comparison are folded alike.
_SYNONYMS = {"saint": "st", "ft": "fort", "mt": "mount"}
_DROP = re.compile(r"[.'’`]")  # "D.C." -> "dc", "O'Fallon" -> "ofallon", "St." -> "st"
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold_words(text: str) -> list[str]:
    """Lowercase ASCII words: accents, case, dashes (hyphen or en dash) and dots ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = _NON_WORD.split(_DROP.sub("", ascii_text))
    return [_SYNONYMS.get(w, w) for w in words if w]


def fold(text: str) -> str:
    """The folded words joined by single spaces."""
    return " ".join(fold_words(text))


def split_states(states: str) -> list[str]:
    """State codes from a CBSA-style suffix such as "NY-NJ" or "DC-VA-MD-WV"."""
    return [code for code in re.split(r"[^A-Za-z]+", states.upper()) if code]
