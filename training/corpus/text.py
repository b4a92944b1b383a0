"""Varied English sentences from Debian text sources plus a small generative grammar (deterministic).

Sources: fortune databases (/usr/share/games/fortunes: fortunes, fortunes-min), split into sentences;
a grammar for questions, numbers, dates, times, phone numbers, names (proper nouns from wamerican), commands
and very short replies. Every sentence gets a stable id (sha1 of its text), used for held-out splits.
"""
from __future__ import annotations

import glob
import hashlib
import os
import random
import re

FORTUNE_DIRS = ["/usr/share/games/fortunes"]
WORDS = "/usr/share/dict/american-english"
_SKIP_FORTUNE = {"ascii-art", "art", "perl", "translate-me", "linux", "computers", "debian", "linuxcookie",
                 "drugs", "ethnic", "men-women", "politics"}  # ascii art, code, or content we don't want


def sentence_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _clean(s: str) -> str | None:
    s = re.sub(r"\s+", " ", s).strip().strip("-").strip()
    s = s.replace("``", '"').replace("''", '"')
    if not s or not re.fullmatch(r"[A-Za-z0-9 ,.;:!?'\"()\-$%&]+", s):
        return None
    words = s.split()
    if not (2 <= len(words) <= 28) or len(s) > 180:
        return None
    if sum(c.isalpha() for c in s) < 0.6 * len(s):
        return None
    if re.search(r"[A-Z]{5,}", s) or "http" in s or "  " in s:
        return None
    return s


def fortune_sentences() -> list[str]:
    out = []
    for d in FORTUNE_DIRS:
        for path in sorted(glob.glob(os.path.join(d, "*"))):
            base = os.path.basename(path)
            if "." in base or base in _SKIP_FORTUNE or os.path.isdir(path):
                continue
            try:
                raw = open(path, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            for entry in raw.split("\n%\n"):
                if re.search(r"^\s*(--|\t\t)", entry, flags=re.M):
                    entry = re.split(r"\n\s*(--|\t\t)", entry)[0]
                if re.search(r"^\s*[A-Za-z]+:\s", entry, flags=re.M) and entry.count(":") > 1:
                    continue  # dialogues / Q: A: formats
                text = " ".join(entry.split())
                for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", text):
                    c = _clean(s)
                    if c:
                        out.append(c)
    return sorted(set(out))


def _names(rng, n=400):
    try:
        words = [w.strip() for w in open(WORDS, encoding="utf-8", errors="replace")]
    except OSError:
        words = []
    names = [w for w in words if re.fullmatch(r"[A-Z][a-z]{2,9}", w)]
    rng.shuffle(names)
    return names[:n] or ["Alice", "Bob", "Carol", "David", "Emma", "Frank"]


def _commons(rng, n=3000):
    try:
        words = [w.strip() for w in open(WORDS, encoding="utf-8", errors="replace")]
    except OSError:
        words = []
    ws = [w for w in words if re.fullmatch(r"[a-z]{3,10}", w)]
    rng.shuffle(ws)
    return ws[:n] or ["table", "river", "garden"]


_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
        "sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_MONTHS = "January February March April May June July August September October November December".split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def grammar_sentences(n: int, seed: int = 1234) -> list[str]:
    rng = random.Random(seed)
    names, nouns = _names(rng), _commons(rng)
    places = ["the station", "the office", "the park", "the library", "the airport", "the kitchen",
              "the bank", "the hospital", "the beach", "the market", "the school", "the museum"]
    verbs = ["bring", "call", "find", "move", "check", "open", "close", "paint", "carry", "order", "fix", "watch"]
    adjs = ["blue", "heavy", "quiet", "broken", "smooth", "bright", "cheap", "warm", "strange", "purple", "old"]
    templates = [
        lambda: f"Did {rng.choice(names)} {rng.choice(verbs)} the {rng.choice(nouns)} at {rng.choice(places)}?",
        lambda: f"Why would anyone {rng.choice(verbs)} a {rng.choice(adjs)} {rng.choice(nouns)}?",
        lambda: f"How much is the {rng.choice(adjs)} {rng.choice(nouns)}?",
        lambda: f"Where is {rng.choice(names)} going on {rng.choice(_DAYS)}?",
        lambda: f"Call {rng.choice(names)} at {' '.join(str(rng.randrange(10)) for _ in range(7))}.",
        lambda: f"The meeting is on {rng.choice(_MONTHS)} {rng.randrange(1, 29)}, {rng.randrange(1950, 2031)}.",
        lambda: f"It costs {rng.randrange(2, 999)} dollars and {rng.randrange(1, 99)} cents.",
        lambda: f"Meet me at {rng.randrange(1, 13)}:{rng.randrange(10, 60)} near {rng.choice(places)}.",
        lambda: f"{rng.choice(names)} has {rng.randrange(2, 100)} {rng.choice(nouns)}s and a {rng.choice(adjs)} "
                f"{rng.choice(nouns)}.",
        lambda: f"Please {rng.choice(verbs)} the {rng.choice(nouns)}.",
        lambda: rng.choice(["Yes.", "No.", "Okay.", "Thank you.", "Hello!", "Goodbye.", "Maybe.", "Really?",
                            "Wow!", "Sure.", "Oh no.", "Hmm, I see.", "Not today.", "Why not?", "Of course!"]),
        lambda: f"{rng.choice(_TENS).capitalize()} {rng.choice(_ONES[1:10])} {rng.choice(nouns)}s, "
                f"{rng.choice(_ONES[1:])} {rng.choice(nouns)}s, and one {rng.choice(nouns)}.",
        lambda: f"{rng.choice(names)} and {rng.choice(names)} walked to {rng.choice(places)} with a "
                f"{rng.choice(adjs)} {rng.choice(nouns)}.",
        lambda: f"Is the {rng.choice(nouns)} {rng.choice(adjs)} or {rng.choice(adjs)}?",
        lambda: f"My number is {rng.randrange(100, 999)}, {rng.randrange(1000, 9999)}.",
        lambda: f"Room {rng.randrange(1, 999)}, floor {rng.randrange(1, 40)}, building {rng.choice('ABCDEFG')}.",
        lambda: f"We saw {rng.randrange(2, 20)} {rng.choice(adjs)} {rng.choice(nouns)}s on {rng.choice(_DAYS)} "
                f"and {rng.choice(['nobody', 'everybody', 'somebody'])} knew why.",
    ]
    out = set()
    guard = 0
    while len(out) < n and guard < n * 20:
        guard += 1
        out.add(rng.choice(templates)())
    return sorted(out)


def all_sentences(seed: int = 1234, n_grammar: int = 4000) -> list[dict]:
    """[{id, text, source}] sorted by id (deterministic)."""
    items = {}
    for s in fortune_sentences():
        items[sentence_id(s)] = {"id": sentence_id(s), "text": s, "source": "fortune"}
    for s in grammar_sentences(n_grammar, seed):
        items.setdefault(sentence_id(s), {"id": sentence_id(s), "text": s, "source": "grammar"})
    return [items[k] for k in sorted(items)]


def sentence_split(sid: str) -> str:
    """Held-out sentences: by hash, 6 % val, 6 % test, rest train."""
    h = int(sid[:8], 16) % 100
    return "val" if h < 6 else ("test" if h < 12 else "train")


if __name__ == "__main__":
    ss = all_sentences()
    print(len(ss), sum(s["source"] == "fortune" for s in ss))
    r = random.Random(0)
    for s in r.sample(ss, 15):
        print(s["source"], s["text"])
