#!/usr/bin/env bash
# Regenerates imports/ offline: `cdk8s import` of cdk8s.yaml's imports, with the Kubernetes
# definitions and CRDs from ../shared/upstream, then pruned to what src/ uses
# (scripts/prune-imports.cjs). Deterministic: the same inputs give the same bytes.
#
#   bash scripts/import.sh           rewrite imports/
#   bash scripts/import.sh --check [DIR]   regenerate into a temporary folder; exit 1 if imports/
#                                          (or DIR) differs from it
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/aura-import-XXXXXX")
trap 'rm -rf "$work"' EXIT
node scripts/eck-crds.cjs
# Offline: no upgrade check (it would go to the network); its progress lines only on failure.
if ! CDK8S_CHECK_UPGRADE=false node --require ./scripts/offline-k8s-schema.cjs node_modules/.bin/cdk8s import --no-check-upgrade --language typescript --output "$work/generated" >"$work/log" 2>&1; then
  cat "$work/log" >&2
  exit 1
fi
if [ "${1:-}" = "--check" ]; then
  committed=${2:-imports}
  node scripts/prune-imports.cjs "$work/generated" "$work/imports"
  if ! diff -r "$work/imports" "$committed" >/dev/null; then
    diff -rq "$work/imports" "$committed" >&2 || true
    echo "$committed differs from what scripts/import.sh generates: run bash scripts/import.sh" >&2
    exit 1
  fi
  echo "$committed is what scripts/import.sh generates"
else
  node scripts/prune-imports.cjs "$work/generated" imports
fi
