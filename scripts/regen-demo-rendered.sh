#!/usr/bin/env bash
# Regenerates testdata/demo-rendered/<db>.yaml with the reference renderer
# (`kubectl kustomize`), so the CLI tests can check `cnpg-dr render` on the demo
# repository without kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBECTL=${KUBECTL:-kubectl}
out=testdata/demo-rendered
mkdir -p "$out"
for db in testdata/demo/infrastructure/database/cloudnative-pg/*/; do
  name=$(basename "$db")
  "$KUBECTL" kustomize "$db" >"$out/$name.yaml"
  for overlay in "$db"overlays/*/; do
    "$KUBECTL" kustomize "$overlay" >"$out/$name.$(basename "$overlay").yaml"
  done
done
echo "regenerated $(ls "$out" | wc -l) files in $out"
