#!/usr/bin/env bash
# Synthetic GitOps repository for benchmarks: N databases scaffolded with
# `cnpg-dr new`, in the shapes and modes real repositories mix, grouped in
# teams of 100 with one Argo CD ApplicationSet per team.
#
#   scripts/gen-repo.sh N OUT_DIR [BIN]
#
# Per database i (deterministic, so two runs give the same tree):
#   - backups: Barman Cloud plugin, or the in-tree barmanObjectStore (i % 10 >= 7);
#   - S3: AWS, or a MinIO endpoint (i % 5 == 0); 1 to 3 instances;
#   - mode: steady (initdb), in recovery (`cnpg-dr plan --write`, i % 7 == 3;
#     point in time when i % 21 == 3), or recovered and back to steady
#     (`plan --write` then `plan --finish --write`, i % 13 == 5).
# Every database lints without errors; the recoveries in progress give the
# warnings and infos they should (recovery left active, target time).
set -euo pipefail
N=${1:?usage: gen-repo.sh N OUT_DIR [BIN]}
OUT=${2:?usage: gen-repo.sh N OUT_DIR [BIN]}
BIN=${3:-}
if [[ -z $BIN ]]; then
  (cd "$(dirname "$0")/.." && cargo build --release --quiet --bin cnpg-dr)
  BIN=$(cd "$(dirname "$0")/.." && pwd)/target/release/cnpg-dr
fi
if [[ -e $OUT ]] && [[ -n $(ls -A "$OUT") ]]; then
  echo "gen-repo: $OUT exists and is not empty" >&2
  exit 2
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DBS=infrastructure/database/cloudnative-pg
# Parallel jobs: `new` and `plan --write` spend their time waiting for fsync
# (every write is atomic and durable), so more jobs than cores pays.
JOBS=${JOBS:-8}

team_of() { printf 'team-%03d' $(($1 / 100)); }
name_of() { printf 'db%05d' "$1"; }

# One line per database: the arguments of its `cnpg-dr new`.
new_args() {
  local i=$1 name team
  name=$(name_of "$i")
  team=$(team_of "$i")
  local args=("$name" --dir "$OUT/$DBS/$team"
    --destination-path "s3://cnpg-backups-$team/{name}"
    --secret-store ClusterSecretStore/vault
    --instances $((1 + i % 3)))
  if ((i % 10 >= 7)); then args+=(--backup native); fi
  if ((i % 5 == 0)); then args+=(--endpoint-url https://minio.storage.svc:9000); fi
  printf '%q ' "${args[@]}"
  echo
}

export BIN
for i in $(seq 0 $((N - 1))); do
  mkdir -p "$OUT/$DBS/$(team_of "$i")"
  new_args "$i"
done | xargs -P "$JOBS" -I{} sh -c '"$BIN" new {} >/dev/null 2>&1 || { echo "cnpg-dr new {} failed" >&2; exit 255; }'

# Recoveries: in progress (point in time for some), and finished: planned,
# then flipped back to initdb keeping the new lineage.
plan_all() {
  xargs -P "$JOBS" -I{} sh -c '"$BIN" plan {} >/dev/null 2>&1 || { echo "cnpg-dr plan {} failed" >&2; exit 255; }'
}
for i in $(seq 0 $((N - 1))); do
  dir="$OUT/$DBS/$(team_of "$i")/$(name_of "$i")"
  if ((i % 21 == 3)); then
    echo "$dir --write --target-time 2026-11-01T03:00:00Z"
  elif ((i % 7 == 3 || i % 13 == 5)); then
    echo "$dir --write"
  fi
done | plan_all
for i in $(seq 0 $((N - 1))); do
  if ((i % 7 != 3 && i % 13 == 5)); then
    echo "$OUT/$DBS/$(team_of "$i")/$(name_of "$i") --finish --write"
  fi
done | plan_all

# One ApplicationSet per team: a Git directory generator over its databases.
mkdir -p "$OUT/argocd"
for t in $(seq 0 $(((N - 1) / 100))); do
  team=$(printf 'team-%03d' "$t")
  cat >"$OUT/argocd/$team-databases.yaml" <<EOF
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: $team-databases
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://git.example.com/platform/gitops.git
        revision: main
        directories:
          - path: $DBS/$team/*
  template:
    metadata:
      name: 'db-{{ .path.basename }}'
    spec:
      project: $team
      source:
        repoURL: https://git.example.com/platform/gitops.git
        targetRevision: main
        path: '{{ .path.path }}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{ .path.basename }}'
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
EOF
done
# A Git repository, as real ones are: Argo CD paths are relative to its root,
# and `cnpg-dr lint --base HEAD` has a history to read.
git -C "$OUT" init -q
git -C "$OUT" add -A
git -C "$OUT" -c user.name=gen-repo -c user.email=gen-repo@example.com \
  commit -q -m "$N synthetic databases"
echo "gen-repo: $N databases in $((((N - 1) / 100) + 1)) team(s) under $OUT"
