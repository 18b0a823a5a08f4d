#!/usr/bin/env bash
# Benchmark: `cnpg-dr lint` on synthetic repositories of N databases
# (scripts/gen-repo.sh), against rendering the same database roots with
# `kubectl kustomize` one by one.
#
#   scripts/bench-lint.sh [N...]          # default: 10 100 1000 10000
#
# Prints a Markdown table: per N, the median wall time of `cnpg-dr lint`
# over SAMPLES runs (default 5), its peak memory (max RSS), the time per
# database, the time of the kubectl loop and the ratio. The kubectl loop over
# more than KUBECTL_MAX roots (default 200) is timed on KUBECTL_MAX of them
# and extrapolated (marked "est."): 10,000 runs of kubectl take half an hour.
#
# Repositories are generated once into BENCH_DIR (default: a directory under
# the system's temporary directory, kept between runs). Needs GNU time;
# kubectl is optional (its columns are left empty without it). A benchmark,
# not a test: nothing here fails on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10 100 1000 10000)
SAMPLES=${SAMPLES:-5}
KUBECTL=${KUBECTL:-kubectl}
KUBECTL_MAX=${KUBECTL_MAX:-200}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/cnpg-dr-bench}
DBS=infrastructure/database/cloudnative-pg

cargo build --release --quiet --bin cnpg-dr
BIN=$PWD/target/release/cnpg-dr
have_kubectl=true
command -v "$KUBECTL" >/dev/null 2>&1 || have_kubectl=false

now() { date +%s%N; }
# Median of numbers on stdin.
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Runs "$@" SAMPLES times; prints "median_ms max_rss_kib".
measure() {
  local times=() rss=0 start end r
  for _ in $(seq 1 "$SAMPLES"); do
    start=$(now)
    /usr/bin/time -o "$BENCH_DIR/.rss" -f %M "$@" >/dev/null 2>&1 || true
    end=$(now)
    times+=("$(((end - start) / 1000))")
    r=$(tail -1 "$BENCH_DIR/.rss")
    ((r > rss)) && rss=$r
  done
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median | awk '{ printf "%.1f", $1 / 1000 }')" "$rss"
}

mkdir -p "$BENCH_DIR"
echo "cnpg-dr $("$BIN" --version | awk '{print $2}'), $(nproc) CPU(s), $(date -u +%Y-%m-%d)"
if $have_kubectl; then
  echo "kubectl: $("$KUBECTL" version --client 2>/dev/null | head -2 | tr '\n' ' ')"
fi
echo
echo "| databases | cnpg-dr lint (median of $SAMPLES) | peak memory | per database | kubectl kustomize loop | ratio |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${SIZES[@]}"; do
  repo="$BENCH_DIR/repo-$n"
  if [[ ! -d $repo/.git ]]; then
    rm -rf "$repo"
    scripts/gen-repo.sh "$n" "$repo" "$BIN" >/dev/null
  fi
  read -r lint_ms rss < <(measure "$BIN" lint --fail-on never --no-progress "$repo")
  per_db_us=$(awk -v t="$lint_ms" -v n="$n" 'BEGIN { printf "%.0f", t * 1000 / n }')
  k_cell="" ratio=""
  if $have_kubectl; then
    mapfile -t roots < <(find "$repo/$DBS" -mindepth 2 -maxdepth 2 -type d | sort | head -n "$KUBECTL_MAX")
    start=$(now)
    for r in "${roots[@]}"; do "$KUBECTL" kustomize "$r" >/dev/null; done
    end=$(now)
    k_ms=$(awk -v d="$((end - start))" -v k="${#roots[@]}" -v n="$n" 'BEGIN { printf "%.0f", d / 1e6 * n / k }')
    if ((${#roots[@]} < n)); then
      k_cell="$(awk -v m="$k_ms" 'BEGIN { printf "%.1f s", m / 1000 }') (est. from ${#roots[@]})"
    else
      k_cell="$(awk -v m="$k_ms" 'BEGIN { printf "%.1f s", m / 1000 }')"
    fi
    ratio="$(awk -v k="$k_ms" -v c="$lint_ms" 'BEGIN { printf "%.0fx", k / c }')"
  fi
  printf '| %s | %s ms | %s MiB | %s µs | %s | %s |\n' \
    "$n" "$lint_ms" "$(awk -v r="$rss" 'BEGIN { printf "%.0f", r / 1024 }')" "$per_db_us" "$k_cell" "$ratio"
done
