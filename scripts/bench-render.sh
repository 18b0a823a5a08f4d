#!/usr/bin/env bash
# Benchmark: `cnpg-dr render` against `kubectl kustomize` on the same roots.
#
#   scripts/bench-render.sh [N]     # N synthetic database roots (default 1000)
#
# Prints, per root, the mean wall time and peak memory of both tools, their
# ratio, and the time to render all N roots in one `cnpg-dr render --all`
# process. Needs kubectl (the reference) and GNU time; it is a benchmark,
# not a test: nothing here fails on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
KUBECTL=${KUBECTL:-kubectl}
SAMPLES=${SAMPLES:-20}

cargo build --release --quiet --bin cnpg-dr
BIN=target/release/cnpg-dr
DEMO=testdata/demo/infrastructure/database/cloudnative-pg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# N roots: copies of the demo databases under new names.
dbs=("$DEMO"/*/)
for i in $(seq 1 "$N"); do
  src=${dbs[$((i % ${#dbs[@]}))]}
  cp -r "$src" "$work/db$i"
done
roots=("$work"/db*)

now() { date +%s%N; }
# mean milliseconds of running "$@" once per sample root
mean_ms() {
  local start end
  start=$(now)
  for i in $(seq 1 "$SAMPLES"); do "$@" "${roots[$i]}" >/dev/null; done
  end=$(now)
  echo "scale=2; ($end - $start) / 1000000 / $SAMPLES" | bc
}
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

# Both tools must agree before their speed means anything.
for r in "${roots[@]:0:4}"; do
  cmp -s <("$KUBECTL" kustomize "$r") <("$BIN" render "$r") || { echo "output differs on $r" >&2; exit 1; }
done

k_ms=$(mean_ms "$KUBECTL" kustomize)
c_ms=$(mean_ms "$BIN" render)
# What starting any process costs here (fork + exec of /bin/true), paid by both tools.
t_ms=$(mean_ms /bin/true)
k_mem=$(peak_kib "$KUBECTL" kustomize "${roots[1]}")
c_mem=$(peak_kib "$BIN" render "${roots[1]}")
start=$(now)
"$BIN" render --all "${roots[@]}" >/dev/null
end=$(now)
all_ms=$(echo "scale=1; ($end - $start) / 1000000" | bc)
all_mem=$(peak_kib "$BIN" render --all "${roots[@]}")

printf '%-34s %12s %12s\n' "one root (mean of $SAMPLES)" "time (ms)" "peak (MiB)"
printf '%-34s %12s %12s\n' "kubectl kustomize" "$k_ms" "$(echo "scale=1; $k_mem/1024" | bc)"
printf '%-34s %12s %12s\n' "cnpg-dr render" "$c_ms" "$(echo "scale=1; $c_mem/1024" | bc)"
printf '%-34s %12s\n' "process start baseline (/bin/true)" "$t_ms"
printf '%-34s %12sx\n' "ratio (kubectl / cnpg-dr)" "$(echo "scale=1; $k_ms / $c_ms" | bc)"
printf '%-34s %12sx\n' "ratio net of process start" "$(echo "scale=1; ($k_ms - $t_ms) / ($c_ms - $t_ms)" | bc)"
printf '%-34s %12s %12s\n' "cnpg-dr render --all, $N roots" "$all_ms" "$(echo "scale=1; $all_mem/1024" | bc)"
printf '%-34s %12s\n' "kubectl loop, $N roots (estimated)" "$(echo "scale=0; $k_ms * $N / 1" | bc)"
printf '%-34s %12sx\n' "ratio, $N roots (kubectl loop / --all)" "$(echo "scale=0; $k_ms * $N / $all_ms" | bc)"
