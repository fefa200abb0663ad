#!/usr/bin/env bash
# Regenerates imports/ with `cdk8s import` from the upstream API data in ../shared/upstream.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf imports
node scripts/eck-crds.cjs
node --require ./scripts/offline-k8s-schema.cjs node_modules/.bin/cdk8s import --language typescript --output imports
