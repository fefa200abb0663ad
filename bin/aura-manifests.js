#!/usr/bin/env node
// The `aura-manifests` command (package.json bin; every npm script is an alias of it): the
// TypeScript sources run compiled (./compiled.js), or through tsx where esbuild is missing.
// src/commands/aura-manifests.ts dispatches to the command.
if (!require('./compiled').register()) require('tsx/cjs');
const { run } = require('../src/commands/aura-manifests.ts');

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
