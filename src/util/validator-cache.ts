import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Compiled ajv validators kept across runs as standalone modules: compiling a schema costs tens
 * of milliseconds, loading its compiled code a fraction of that. The key must cover everything
 * the code depends on (schema content, ajv version), so a change never reuses a stale validator.
 */
export const VALIDATOR_CACHE_DIR = process.env.AURA_VALIDATOR_CACHE ?? join(__dirname, '../../node_modules/.cache/aura-manifests/validators');
const AJV_VERSION: string = require('ajv/package.json').version;

export function cachedValidator(
  key: string,
  compile: () => { ajv: Ajv; validate: ValidateFunction },
  cacheDir = VALIDATOR_CACHE_DIR,
): ValidateFunction {
  const file = join(cacheDir, `${createHash('sha256').update(`${AJV_VERSION}|${key}`).digest('hex').slice(0, 24)}.js`);
  if (existsSync(file)) {
    try {
      return require(file) as ValidateFunction;
    } catch {
      // A damaged entry is rebuilt below.
    }
  }
  const { ajv, validate } = compile();
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standaloneCode(ajv, validate));
    renameSync(tmp, file); // atomic: parallel test workers may write the same entry
  } catch {
    // No cache (read-only tree): compiling every run is only slower.
  }
  return validate;
}

/**
 * Remembers that a value passed a schema: the ApplicationSet's validator is 8 MB of code, and the
 * object it checks changes only with the GitOps settings. The key covers the schema and the value.
 */
export const passedBefore = (key: string, cacheDir = VALIDATOR_CACHE_DIR) => existsSync(passMarker(key, cacheDir));

export function rememberPass(key: string, cacheDir = VALIDATOR_CACHE_DIR): void {
  try {
    mkdirSync(join(cacheDir, 'passed'), { recursive: true });
    writeFileSync(passMarker(key, cacheDir), '');
  } catch {
    // No cache: the check runs again next time.
  }
}

const passMarker = (key: string, cacheDir: string) => join(cacheDir, 'passed', createHash('sha256').update(`${AJV_VERSION}|${key}`).digest('hex').slice(0, 32));
