// Runs the TypeScript sources as JavaScript compiled once, instead of transpiling every file on
// every run (tsx). `require('./x')` of a .ts file is served from a cache entry named by the hash
// of that file's bytes and of everything that shapes the compile (this file, the esbuild and node
// versions, tsconfig.json's compilerOptions): an edited source has another name, so a stale entry
// can never run. A missing entry is compiled with esbuild (the transform tsx runs) and stored;
// the V8 code cache of each module is stored beside it. The cache lives in node_modules/.cache,
// which `npm ci` makes anew, at the trust of node_modules itself; it is never committed.
// Anything wrong with it (unwritable, corrupt, no esbuild) falls back to compiling in memory,
// or to tsx as before.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const mainModule = require.main;

const ROOT = path.resolve(__dirname, '..');
/** AURA_JS_CACHE: another folder for the entries (tests); `off`: compile in memory every run. */
const CACHE_DIR = process.env.AURA_JS_CACHE || path.join(ROOT, 'node_modules', '.cache', 'aura-manifests', 'js');
const useDisk = process.env.AURA_JS_CACHE !== 'off';
/** Stack traces pointing into the .ts sources when node runs with --enable-source-maps (tsx's default); off otherwise, they cost start-up. */
const sourceMaps = process.execArgv.includes('--enable-source-maps') || /--enable-source-maps/.test(process.env.NODE_OPTIONS || '');

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** tsconfig.json's compilerOptions, following relative `extends` (what tsx gives esbuild). */
function compilerOptions(file, depth = 0) {
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  const base = typeof config.extends === 'string' && config.extends.startsWith('.') && depth < 8 ? compilerOptions(path.resolve(path.dirname(file), config.extends), depth + 1) : {};
  return { ...base, ...(config.compilerOptions || {}) };
}

let esbuild;
let options;
let salt;

/** What every entry's name depends on besides its source. */
function setup() {
  esbuild = require('esbuild');
  const tsconfig = compilerOptions(path.join(ROOT, 'tsconfig.json'));
  options = {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: `node${process.versions.node}`,
    keepNames: true,
    minifyWhitespace: true,
    sourcemap: sourceMaps ? 'inline' : false,
    tsconfigRaw: { compilerOptions: tsconfig },
  };
  salt = sha256(JSON.stringify([fs.readFileSync(__filename, 'utf8'), esbuild.version, process.version, options]));
}

/** The name of the entry for these source bytes (exported for the test that an edit changes it). */
function entryKey(source) {
  return sha256(`${salt}\0${source}`);
}

/** An entry as stored: a first line with the hash of the code after it (a torn or truncated entry is not used). */
function readEntry(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  const code = text.slice(newline + 1);
  return newline === 71 && text.startsWith('//aura ') && text.slice(7, newline) === sha256(code) ? code : undefined;
}

/** Written under a private name and renamed into place: a reader sees no entry or a whole one. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {}
  }
}

function compile(source, filename) {
  return esbuild.transformSync(source, { ...options, sourcefile: filename }).code;
}

/** The module's code, compiled from its source or taken from the cache. */
function codeFor(source, filename) {
  if (!useDisk) return { code: compile(source, filename) };
  const key = entryKey(source);
  const file = path.join(CACHE_DIR, key.slice(0, 2), `${key}.js`);
  const cached = readEntry(file);
  if (cached !== undefined) return { code: cached, v8: `${file.slice(0, -3)}.v8` };
  const code = compile(source, filename);
  writeAtomic(file, `//aura ${sha256(code)}\n${code}`);
  return { code, v8: `${file.slice(0, -3)}.v8` };
}

/** Module.prototype._compile with V8's code cache: what node does for a .js file, minus parsing it again. */
function runModule(module, filename, code, v8) {
  let cachedData;
  if (v8) {
    try {
      cachedData = fs.readFileSync(v8);
    } catch {}
  }
  const script = new vm.Script(Module.wrap(code), { filename, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const fn = script.runInThisContext({ displayErrors: true });
  const require = (id) => module.require(id);
  require.resolve = (request, opts) => Module._resolveFilename(request, module, false, opts);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  const result = fn.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
  // Stored after the module ran: V8 then includes the functions it compiled meanwhile.
  if (v8 && (cachedData === undefined || script.cachedDataRejected)) writeAtomic(v8, script.createCachedData());
  return result;
}

/** Serves .ts files compiled; returns false when esbuild cannot be loaded (the caller falls back to tsx). */
function register() {
  try {
    setup();
  } catch {
    return false;
  }
  Module._extensions['.ts'] = function loadTypeScript(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const { code, v8 } = codeFor(source, filename);
    runModule(module, filename, code, v8);
  };
  return true;
}

module.exports = { register, entryKey, setup, CACHE_DIR };

// `node bin/compiled.js FILE.ts ARGS...`: runs one TypeScript file the way the bin does (the benchmark's workers).
if (require.main === module) {
  if (!register()) require('tsx/cjs');
  const file = path.resolve(process.argv[2]);
  process.argv.splice(1, 2, file);
  require(file);
}
