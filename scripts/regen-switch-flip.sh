#!/usr/bin/env bash
# Regenerates testdata/switch-flip/cases/*.rendered: `kubectl kustomize` on
# each case's flipped switch (*.flipped), next to the fixture's overlays.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fixture="$root/testdata/switch-flip"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$fixture/overlays" "$fixture/shared.yaml" "$tmp/"
for flipped in "$fixture"/cases/*.flipped; do
  cp "$flipped" "$tmp/kustomization.yaml"
  kubectl kustomize "$tmp" > "${flipped%.flipped}.rendered"
done
