"""Scoring of an anonymiser's findings against the benchmark's gold labels.

One implementation for every tool: the side-by-side report scores casereview's findings
(from the Rust bench's JSONL) and Presidio's with this module, and checks that it agrees
with the Rust bench's own scorer (crates/core/benches/anonymise/score.rs), which implements
the same definitions:

* A token is a maximal run of bytes that are ASCII letters or digits or any byte of a
  non-ASCII character. A gold mention's required tokens are its tokens, except, for places
  and addresses, generic words ("School", "Road", "Surgery"...), single letters and
  (addresses) house numbers alone.
* A gold mention is covered when every byte of every required token lies inside some
  finding, and, for people, no finding overlapping it has a replacement containing one of
  the mention's tokens of two or more characters (case-insensitive): after replacement
  nothing of the name survives. A mention with no required token is covered when any
  finding overlaps it.
* A document leaks when any gold mention is not covered; it leaks a known entity when a
  mention of a register entity is not covered.
* A finding is a true positive when it overlaps a gold mention; precision is true positives
  over findings.
* A decoy (an ordinary use of a word that is also a name) is flagged when any finding
  overlaps it.

Offsets are byte offsets into the UTF-8 text, as in casereview's findings.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict

GENERIC = {
    "school", "primary", "infant", "infants", "junior", "academy", "college", "community", "nursery", "pre", "day", "children",
    "centre", "center", "surgery", "practice", "medical", "health", "hospital", "general", "royal", "infirmary", "maritime",
    "university", "trust", "clinic", "the", "of", "and", "at", "c", "e", "st", "catholic", "little", "acorns", "road", "rd", "street",
    "avenue", "ave", "close", "cl", "lane", "ln", "drive", "dr", "way", "gardens", "gdns", "crescent", "cres", "court", "ct",
    "terrace", "terr", "grove", "gr", "flat", "house",
}

_TOKEN = bytes(1 if (b >= 0x80 or chr(b).isascii() and chr(b).isalnum()) else 0 for b in range(256))


def tokens(b: bytes, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    i = start
    while i < end:
        if _TOKEN[b[i]]:
            s = i
            while i < end and _TOKEN[b[i]]:
                i += 1
            out.append((s, i))
        else:
            i += 1
    return out


def _lower(b: bytes) -> str:
    return b.decode("utf-8", "replace").lower()


def required(b: bytes, g: dict) -> list[tuple[int, int]]:
    toks = tokens(b, g["start"], g["end"])
    cat = g["category"]
    if cat not in ("place", "address"):
        return toks
    out = []
    for s, e in toks:
        t = _lower(b[s:e])
        digits = all(c in "0123456789" for c in t)
        letter = len(t) == 1 and not digits
        if not (t in GENERIC or letter or (cat == "address" and digits)):
            out.append((s, e))
    return out


def words(s: str) -> list[str]:
    b = s.encode("utf-8")
    return [_lower(b[x:y]) for x, y in tokens(b, 0, len(b))]


class Tally:
    __slots__ = ("n", "covered")

    def __init__(self) -> None:
        self.n = 0
        self.covered = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.covered += int(ok)

    def json(self) -> dict:
        return {"n": self.n, "covered": self.covered, "recall": ratio(self.covered, self.n)}


def ratio(a: int, b: int):
    return None if b == 0 else a / b


class Scorer:
    """Accumulates the metrics over documents (same fields as the Rust bench's JSON)."""

    def __init__(self) -> None:
        self.documents = 0
        self.bytes = 0
        self.leaking = 0
        self.leaking_known = 0
        self.all = Tally()
        self.known = Tally()
        self.unknown_names = Tally()
        self.unknown_other = Tally()
        self.by_category: dict[str, Tally] = defaultdict(Tally)
        self.by_form: dict[str, Tally] = defaultdict(Tally)
        self.findings = 0
        self.true_positives = 0
        self.false_by_category: dict[str, int] = defaultdict(int)
        self.decoys = 0
        self.decoys_flagged = 0
        self.entity_n = 0
        self.entity_matched = 0
        self.misses: list[dict] = []
        self.false_positives: list[dict] = []

    def add(self, text: str, gold: list[dict], preds: list[dict], decoys: list[dict], doc_id: str = "") -> bool:
        """Scores one document; preds have start, end (bytes), category, entity, replacement."""
        b = text.encode("utf-8")
        n = len(b)
        self.documents += 1
        self.bytes += n
        mask = bytearray(n)
        for p in preds:
            s, e = min(p["start"], n), min(p["end"], n)
            if s < e:
                mask[s:e] = b"\x01" * (e - s)
        preds = sorted(preds, key=lambda p: p["start"])
        starts = [p["start"] for p in preds]
        longest = max((p["end"] - p["start"] for p in preds), default=0)

        def overlapping(s: int, e: int):
            i = bisect.bisect_left(starts, s - longest)
            while i < len(preds) and preds[i]["start"] < e:
                p = preds[i]
                if s < p["end"]:
                    yield p
                i += 1

        leak = leak_known = False
        gold = sorted(gold, key=lambda g: g["start"])
        for g in gold:
            gs, ge = g["start"], g["end"]
            req = required(b, g)
            if not req:
                ok = next(overlapping(gs, ge), None) is not None
            else:
                ok = all(mask.find(0, s, e) == -1 for s, e in req)
            if ok and g["category"] in ("person", "unknown_name"):
                name = [_lower(b[s:e]) for s, e in tokens(b, gs, ge)]
                name = [t for t in name if len(t) >= 2]
                if any(w in name for p in overlapping(gs, ge) for w in words(p.get("replacement") or "")):
                    ok = False
            self.all.add(ok)
            if g["known"]:
                self.known.add(ok)
            elif g["category"] == "unknown_name":
                self.unknown_names.add(ok)
            else:
                self.unknown_other.add(ok)
            self.by_category[g["category"]].add(ok)
            self.by_form[g["form"]].add(ok)
            if g.get("possessive"):
                self.by_form["(possessive)"].add(ok)
            if g.get("split"):
                self.by_form["(split across lines)"].add(ok)
            if not ok:
                leak = True
                leak_known |= bool(g["known"])
                if len(self.misses) < 100000:
                    self.misses.append({"doc": doc_id, "text": g["text"], "category": g["category"], "known": g["known"], "form": g["form"]})
            if ok and g["known"]:
                self.entity_n += 1
                if any(p.get("entity") is not None and p.get("entity") == g.get("entity") for p in overlapping(gs, ge)):
                    self.entity_matched += 1
        gstarts = [g["start"] for g in gold]
        gends = [g["end"] for g in gold]
        for p in preds:
            self.findings += 1
            i = bisect.bisect_right(gends, p["start"])
            if i < len(gold) and gstarts[i] < p["end"]:
                self.true_positives += 1
            else:
                self.false_by_category[p.get("category") or ""] += 1
                if len(self.false_positives) < 100000:
                    self.false_positives.append(
                        {"doc": doc_id, "text": b[p["start"]:p["end"]].decode("utf-8", "replace"), "category": p.get("category")}
                    )
        for d in decoys:
            self.decoys += 1
            if mask.find(1, d["start"], d["end"]) != -1 or any(True for _ in overlapping(d["start"], d["end"])):
                self.decoys_flagged += 1
        self.leaking += int(leak)
        self.leaking_known += int(leak_known)
        return leak

    def json(self) -> dict:
        return {
            "documents": self.documents,
            "bytes": self.bytes,
            "documents_leaking": self.leaking,
            "documents_leaking_known": self.leaking_known,
            "documents_without_leak": ratio(self.documents - self.leaking, self.documents),
            "documents_without_known_leak": ratio(self.documents - self.leaking_known, self.documents),
            "mentions": {
                "all": self.all.json(),
                "known": self.known.json(),
                "unknown_names": self.unknown_names.json(),
                "unknown_other": self.unknown_other.json(),
            },
            "by_category": {k: v.json() for k, v in sorted(self.by_category.items())},
            "by_form": {k: v.json() for k, v in sorted(self.by_form.items())},
            "findings": {
                "n": self.findings,
                "true_positive": self.true_positives,
                "precision": ratio(self.true_positives, self.findings),
                "false_positive_by_category": dict(sorted(self.false_by_category.items())),
            },
            "decoys": {"n": self.decoys, "flagged": self.decoys_flagged, "share_flagged": ratio(self.decoys_flagged, self.decoys)},
            "entity_match": {"n": self.entity_n, "matched": self.entity_matched, "share": ratio(self.entity_matched, self.entity_n)},
        }


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)
