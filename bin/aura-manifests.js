#!/usr/bin/env node
// The `aura-manifests` command (package.json bin): the TypeScript sources run through tsx, as
// every npm script of this project does.
require('tsx/cjs');
const { run } = require('../src/main.ts');

// Piped into head or less that quit early: not an error.
process.stdout.on('error', (e) => (e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : Promise.reject(e)));
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
