// Cache records (src/incremental/store.ts) live outside the output tree, keyed by a machine key:
// each test worker gets its own record folder and key home under /tmp, so tests neither share
// records nor touch the developer's ~/.cache, and runs under CI=true behave as they do locally
// (the tests that are about CI set CI themselves).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'aura-test-cache-'));
process.env.AURA_MANIFESTS_CACHE_DIR = join(root, 'records');
process.env.XDG_CACHE_HOME = join(root, 'home-cache');
delete process.env.CI;
delete process.env.AURA_CACHE_KEY;
