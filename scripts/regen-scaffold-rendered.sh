#!/usr/bin/env bash
# Regenerates testdata/scaffold/<case>/rendered/*.yaml: scaffolds each case
# with `cnpg-dr new $(cat <case>/args)` in a temporary directory and renders
# the directory and both overlays with the reference renderer (`kubectl
# kustomize`), so the CLI tests can check `cnpg-dr render` on scaffolds
# without kubectl. Run it after changing what `cnpg-dr new` writes, and review
# the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBECTL=${KUBECTL:-kubectl}
cargo build -q -p cnpg-dr-lint --bin cnpg-dr
bin="${CARGO_TARGET_DIR:-target}/debug/cnpg-dr"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=0
for case_dir in testdata/scaffold/*/; do
  case_name=$(basename "$case_dir")
  mapfile -t args <"$case_dir/args"
  name=${args[0]}
  repo="$work/$case_name"
  # A .git directory stops the search for .cnpg-dr.yaml at the temporary repository.
  mkdir -p "$repo/.git"
  (cd "$repo" && "$bin" new "${args[@]}" >/dev/null 2>&1)
  out="$case_dir/rendered"
  rm -rf "$out"
  mkdir -p "$out"
  "$KUBECTL" kustomize "$repo/$name" >"$out/root.yaml"
  for overlay in initdb recovery; do
    "$KUBECTL" kustomize "$repo/$name/overlays/$overlay" >"$out/$overlay.yaml"
  done
  count=$((count + 1))
done
echo "regenerated $count scaffold cases in testdata/scaffold"
