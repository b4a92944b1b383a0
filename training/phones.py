"""ARPAbet phone inventory and normalisation shared by the teacher, the corpus builder and the aligners.

Canonical phones are the 39 CMU-dictionary ARPAbet phones in lower case (no stress digits) plus ``sil``.
Festival/flite's radio phone set extras (ax, axr, dx, el, em, en, nx, hv, pau, h#) and pauses (sil, sp, pau,
brth, ...) are mapped onto them. Stress digits are parsed off and returned separately.
"""
from __future__ import annotations

import re

VOWELS = ("aa", "ae", "ah", "ao", "aw", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw")
CONSONANTS = (
    "b", "ch", "d", "dh", "f", "g", "hh", "jh", "k", "l", "m", "n", "ng", "p", "r", "s", "sh", "t", "th",
    "v", "w", "y", "z", "zh",
)
SILENCE = "sil"
#: Canonical inventory, in a fixed order (index = phone id used in the corpus shards).
PHONES = (SILENCE,) + VOWELS + CONSONANTS
PHONE_ID = {p: i for i, p in enumerate(PHONES)}

_ALIASES = {
    "ax": "ah", "axh": "ah", "ix": "ih", "ux": "uw", "axr": "er", "dx": "d", "nx": "n", "el": "l", "em": "m",
    "en": "n", "eng": "ng", "hv": "hh", "q": "t", "h": "hh",
    # silences and non-speech
    "sil": SILENCE, "sp": SILENCE, "pau": SILENCE, "h#": SILENCE, "#": SILENCE, "brth": SILENCE,
    "spn": SILENCE, "nsn": SILENCE, "ns": SILENCE, "noise": SILENCE, "breath": SILENCE, "": SILENCE,
    "_": SILENCE, "+breath+": SILENCE, "+noise+": SILENCE, "<sil>": SILENCE,
}


def split_stress(token: str) -> tuple[str, int | None]:
    """'AH0' -> ('ah', 0); 'k' -> ('k', None)."""
    m = re.fullmatch(r"([A-Za-z#_+<>]*?)([012])?", token.strip())
    if m is None:
        return token.strip().lower(), None
    return m.group(1).lower(), (int(m.group(2)) if m.group(2) is not None else None)


def normalize(token: str) -> str:
    """Map any ARPAbet-ish token (any case, optional stress digit) onto the canonical inventory.

    Raises ValueError for unknown phones."""
    base, _ = split_stress(token)
    base = _ALIASES.get(base, base)
    if base not in PHONE_ID:
        raise ValueError(f"unknown phone {token!r}")
    return base


def is_silence(token: str) -> bool:
    return normalize(token) == SILENCE


def read_tsv(path) -> list[tuple[float, float, str]]:
    """Read ``start_s end_s phone`` lines (tab or space separated; '#' comments and blank lines skipped).

    Phones are kept as written (stress digits included) so the teacher can use stress."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) < 3:
                raise ValueError(f"bad phone line {line!r}")
            out.append((float(parts[0]), float(parts[1]), parts[2]))
    return out


def write_tsv(path, phones) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for s, e, p in phones:
            f.write(f"{s:.4f}\t{e:.4f}\t{p}\n")


def merge_silences(phones):
    """Normalise phones to canonical names (keeping stress digits on vowels) and merge adjacent silences."""
    out: list[list] = []
    for s, e, p in phones:
        base, stress = split_stress(p)
        n = normalize(p)
        tok = n + (str(stress) if stress is not None and n in VOWELS else "")
        if out and n == SILENCE and normalize(out[-1][2]) == SILENCE:
            out[-1][1] = e
            continue
        out.append([float(s), float(e), tok])
    return [tuple(x) for x in out]
