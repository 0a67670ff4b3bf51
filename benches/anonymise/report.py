"""The side-by-side report of the anonymisation benchmark: casereview and Presidio scored by
one implementation (metrics.py) on the same documents.

Reads, in --dir: corpus-eval.jsonl (the Rust bench's corpus with gold labels),
predictions-casereview-eval.jsonl and metrics-casereview-eval.json (the Rust bench's
findings, timings and own metrics), and predictions-presidio-eval.jsonl (presidio.py) when
present. Presidio may have run on the first N documents only: both tools are then scored
on those N (and casereview on the whole corpus too, in its own column). Writes report.md
and report.json in --dir and prints the table.

It also rescores casereview on the whole corpus and checks that this scorer and the Rust
bench's agree; a disagreement is printed and makes the exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

from metrics import Scorer, read_jsonl

TARGETS = {
    "known_recall": 0.995,
    "unknown_recall": 0.95,
    "no_known_leak": 0.99,
    "precision": 0.90,
    "mb_per_s": 20.0,
    "speedup": 50.0,
}
CATEGORIES = ["person", "unknown_name", "address", "postcode", "place", "date", "phone", "nhs_number", "email", "reference"]


def score(docs: dict, preds: list[dict]) -> tuple[dict, Scorer, dict]:
    s = Scorer()
    total_bytes = 0
    seconds = 0.0
    errors = 0
    for p in preds:
        d = docs[p["id"]]
        if p.get("error"):
            errors += 1
        s.add(d["text"], d["gold"], p.get("findings") or [], d.get("decoys") or [], d["id"])
        total_bytes += len(d["text"].encode("utf-8"))
        seconds += float(p.get("seconds") or 0.0)
    speed = {"bytes": total_bytes, "seconds": seconds, "mb_per_s": (total_bytes / 1e6 / seconds) if seconds > 0 else None}
    m = s.json()
    m["throughput"] = speed
    m["register_errors"] = errors
    return m, s, speed


def pct(v) -> str:
    return "n/a" if v is None else f"{v * 100:.2f}%"


def get(m: dict | None, *path):
    for k in path:
        if m is None:
            return None
        m = m.get(k)
    return m


def compare(py: dict, rust: dict) -> list[str]:
    """Differences between the two scorers' metrics (the fields both compute)."""
    out = []

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in a:
                if k in ("throughput", "register_errors"):
                    continue
                if k not in b:
                    out.append(f"{path}/{k}: missing from the Rust metrics")
                else:
                    walk(a[k], b[k], f"{path}/{k}")
        elif isinstance(a, float) or isinstance(b, float):
            if a is None or b is None or abs(a - b) > 1e-9:
                out.append(f"{path}: python {a} rust {b}")
        elif a != b:
            out.append(f"{path}: python {a} rust {b}")

    walk(py, rust, "")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--split", default="eval")
    args = ap.parse_args()
    path = lambda name: os.path.join(args.dir, name.format(split=args.split))  # noqa: E731

    docs = {d["id"]: d for d in read_jsonl(path("corpus-{split}.jsonl"))}
    cr_preds = list(read_jsonl(path("predictions-casereview-{split}.jsonl")))
    with open(path("metrics-casereview-{split}.json"), encoding="utf-8") as f:
        rust_metrics = json.load(f)
    presidio_path = path("predictions-presidio-{split}.jsonl")
    pr_preds = list(read_jsonl(presidio_path)) if os.path.exists(presidio_path) else []
    pr_meta = {}
    if os.path.exists(presidio_path + ".meta.json"):
        with open(presidio_path + ".meta.json", encoding="utf-8") as f:
            pr_meta = json.load(f)

    cr_all, cr_all_scorer, _ = score(docs, cr_preds)
    disagreements = compare({k: v for k, v in cr_all.items()}, rust_metrics)
    # The bench times each document as the mean of its passes; use its overall figure for
    # the whole corpus.
    cr_all["throughput"]["mb_per_s"] = get(rust_metrics, "throughput", "mb_per_s")

    subset_ids = [p["id"] for p in pr_preds]
    subset = set(subset_ids)
    cr_sub_preds = [p for p in cr_preds if p["id"] in subset] if pr_preds else cr_preds
    cr_sub, cr_sub_scorer, _ = score(docs, cr_sub_preds)
    pr_sub, pr_scorer, _ = score(docs, pr_preds) if pr_preds else (None, None, None)
    partial = bool(pr_preds) and len(subset) < len(docs)

    speedup = None
    cr_speed = get(cr_sub, "throughput", "mb_per_s")
    pr_speed = get(pr_sub, "throughput", "mb_per_s")
    if cr_speed and pr_speed:
        speedup = cr_speed / pr_speed

    def meets(v, target):
        if v is None:
            return "–"
        return "yes" if v >= target else "**no**"

    rows = []

    def row(label, key, fmt=pct, target=None, target_text=""):
        a = key(cr_sub)
        b = key(pr_sub) if pr_sub else None
        c = key(cr_all)
        r = [label, fmt(a), fmt(b) if pr_sub else "not run"]
        if partial:
            r.append(fmt(c))
        r.append(target_text)
        r.append(meets(a, target) if target is not None else "")
        rows.append(r)

    mbs = lambda v: "n/a" if v is None else f"{v:.3f} MB/s" if v < 1 else f"{v:.1f} MB/s"  # noqa: E731
    row("Documents with no leak (headline)", lambda m: m["documents_without_leak"])
    row(
        "Documents with no leak of a known entity",
        lambda m: m["documents_without_known_leak"],
        target=TARGETS["no_known_leak"],
        target_text="≥ 99%",
    )
    row("Recall, known-entity mentions", lambda m: m["mentions"]["known"]["recall"], target=TARGETS["known_recall"], target_text="≥ 99.5%")
    row(
        "Recall, unknown person names",
        lambda m: m["mentions"]["unknown_names"]["recall"],
        target=TARGETS["unknown_recall"],
        target_text="≥ 95%",
    )
    row("Recall, other unknown identifiers", lambda m: m["mentions"]["unknown_other"]["recall"])
    row("Recall, all identifying mentions", lambda m: m["mentions"]["all"]["recall"])
    row("Precision (findings overlapping a gold mention)", lambda m: m["findings"]["precision"], target=TARGETS["precision"], target_text="≥ 90%")
    row("Ordinary uses of name-words flagged (lower is better)", lambda m: m["decoys"]["share_flagged"])
    for c in CATEGORIES:
        row(f"Recall, category {c}", lambda m, c=c: get(m, "by_category", c, "recall"))
    row(
        "Throughput, one core",
        lambda m: get(m, "throughput", "mb_per_s"),
        fmt=mbs,
        target=TARGETS["mb_per_s"],
        target_text="≥ 20 MB/s",
    )
    speed_row = ["casereview ÷ Presidio throughput", "n/a" if speedup is None else f"{speedup:,.0f}×", ""]
    if partial:
        speed_row.append("")
    speed_row += ["≥ 50×", meets(speedup, TARGETS["speedup"])]
    rows.append(speed_row)

    header = ["Metric", "casereview", "Presidio"]
    if partial:
        header.append(f"casereview (all {len(docs)})")
    header += ["Target", "casereview meets it"]
    n_docs = len(cr_sub_preds)
    sub_bytes = cr_sub["bytes"]
    gold_n = cr_sub["mentions"]["all"]["n"]

    lines = []
    lines.append(f"# Anonymisation benchmark ({args.split} templates)\n")
    lines.append(
        f"{n_docs} documents, {sub_bytes / 1e6:.2f} MB, {gold_n} identifying mentions "
        f"({cr_sub['mentions']['known']['n']} of known entities, {cr_sub['mentions']['unknown_names']['n']} unknown person names, "
        f"{cr_sub['mentions']['unknown_other']['n']} other unknown identifiers), {cr_sub['decoys']['n']} decoys. "
        + (f"Presidio ran on the first {len(subset)} of {len(docs)} documents; both are scored on those.\n" if partial else "\n")
    )
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")
    if pr_meta:
        lines.append(
            f"Presidio: presidio-analyzer {pr_meta.get('presidio_analyzer')}, spaCy {pr_meta.get('spacy')}, model "
            f"{pr_meta.get('model')}, recognizers added: {', '.join(pr_meta.get('added_recognizers') or []) or 'none'}; "
            f"entities {', '.join(pr_meta.get('entities') or [])}."
        )
    lines.append(
        f"casereview: register errors {cr_all.get('register_errors')}, invalid findings {rust_metrics.get('invalid_findings')}, "
        f"register building {get(rust_metrics, 'throughput', 'register_seconds') or 0:.3f} s for {len(docs)} case files, "
        f"throughput including it {mbs(get(rust_metrics, 'throughput', 'mb_per_s_with_register'))}."
    )
    lines.append(
        "Scorers: "
        + ("the Python scorer and the Rust bench's agree on every metric." if not disagreements else f"DISAGREE: {disagreements[:10]}")
    )
    lines.append("")

    # Details: recall by form, misses and false positives.
    lines.append("## Recall by form of the mention\n")
    forms = sorted(set(cr_sub["by_form"]) | set((pr_sub or {}).get("by_form", {})))
    lines.append("| Form | n | casereview | Presidio |")
    lines.append("|---|---|---|---|")
    for f in forms:
        a = cr_sub["by_form"].get(f, {})
        b = (pr_sub or {}).get("by_form", {}).get(f, {})
        lines.append(f"| {f} | {a.get('n', b.get('n', 0))} | {pct(a.get('recall'))} | {pct(b.get('recall')) if pr_sub else 'not run'} |")
    lines.append("")
    for name, sc in [("casereview", cr_sub_scorer), ("Presidio", pr_scorer)]:
        if sc is None:
            continue
        lines.append(f"## {name}: most frequent misses (category, known, form, text)\n")
        c = Counter((m["category"], m["known"], m["form"], m["text"].replace("\n", "⏎")) for m in sc.misses)
        for (cat, known, form, text), n in c.most_common(25):
            lines.append(f"- {n} × {cat} {'known' if known else 'unknown'} {form}: `{text}`")
        lines.append("")
        lines.append(f"## {name}: most frequent false positives (category, text)\n")
        c = Counter((m["category"], m["text"].replace("\n", "⏎")) for m in sc.false_positives)
        for (cat, text), n in c.most_common(25):
            lines.append(f"- {n} × {cat}: `{text}`")
        lines.append("")

    report = "\n".join(lines)
    with open(os.path.join(args.dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(report + "\n")
    with open(os.path.join(args.dir, "report.json"), "w", encoding="utf-8") as f:
        json.dump(
            {
                "documents": n_docs,
                "presidio_subset": partial,
                "casereview": cr_sub,
                "presidio": pr_sub,
                "casereview_all": cr_all,
                "speedup": speedup,
                "presidio_meta": pr_meta,
                "scorer_disagreements": disagreements,
            },
            f,
            indent=2,
        )
    # The table and its notes on the terminal; the details are in report.md.
    print("\n".join(lines[: lines.index("## Recall by form of the mention\n")]))
    print(f"(details: {os.path.join(args.dir, 'report.md')})")
    return 2 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
