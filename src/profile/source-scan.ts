/**
 * Checks of a profile's YAML source that must happen before its data is used, because the data
 * alone cannot show them: a secret key followed by a tag, an anchor or a comment reads as empty;
 * an alias that resolves to nothing, a duplicate key or `__proto__` never reach a schema. Every
 * message names a position and a kind; none quotes the profile's text.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { extname, sep } from 'node:path';
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import { type Diagnostic, formatPath, type PathSegment } from './errors';
import { PROFILE_SCHEMA } from './schema';
import { keyVaultSecretName } from './secrets';

/** Largest profile or layer file read (1 MiB): a profile is a page of settings, not a data set. */
export const MAX_PROFILE_BYTES = 1024 * 1024;
/** Aliases allowed in one file; the expansion of each is bounded by the yaml library as well. */
export const MAX_ALIASES = 50;
export const PROFILE_EXTENSIONS = ['.yaml', '.yml'];
/** A profile's name is its output folder, a label value and part of Argo CD names: a lowercase RFC 1123 label. */
export const PROFILE_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const PROFILE_NAME_RULE = 'lowercase letters, digits and "-", starting and ending with a letter or digit, at most 40 characters';

/** Keys that would reach an object's prototype if a mapping were built carelessly. */
export const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Control characters (tab and newline excepted in values) and Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const CONTROL_IN_KEY = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** Words that make a free-form key a credential's name, whatever the case style or separator. */
const CREDENTIAL_WORDS = new Set([
  'password', 'passwords', 'passwd', 'passphrase', 'pwd', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'creds',
  'authorization', 'bearer', 'webhook', 'webhooks', 'dsn', 'sas', 'signature', 'apikey', 'apikeys', 'privatekey', 'cookie',
]);
/** Words that name a credential only as the last word (smtp_pass, basicAuth), not as a prefix (passThrough, authUrl). */
const TRAILING_CREDENTIAL_WORDS = new Set(['pass', 'auth']);
/** `key` is a credential after one of these: apiKey, private_key, X-Api-Key, accountKey, sshKeys. */
const KEY_QUALIFIERS = new Set(['api', 'private', 'access', 'secret', 'account', 'shared', 'signing', 'encryption', 'master', 'client', 'subscription', 'storage', 'primary', 'secondary', 'sas', 'ssh', 'service', 'app', 'license', 'instrumentation']);
/** Two words that name a credential together (connectionString, CONN_STRING). */
const CREDENTIAL_PAIRS = new Set(['connection string', 'conn string']);

/** A key's words: split on case changes (secretValue, APIKey), digits, `_`, `-`, `.` and spaces; lowercase. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)|(\d)([A-Za-z])/g, (_, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`))
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** A free-form key that names a credential (secretValue, privateKeyPem, sasUrl, Authorization, sentry.dsn, X-Api-Key, DB_PASSWORD_1). */
export function credentialLikeKey(key: string): boolean {
  const words = keyWords(key);
  return words.some((w, i) => CREDENTIAL_WORDS.has(w) || (i === words.length - 1 && TRAILING_CREDENTIAL_WORDS.has(w)) || ((w === 'key' || w === 'keys') && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) || (i > 0 && CREDENTIAL_PAIRS.has(`${words[i - 1]} ${w}`)));
}
/** Values that are credentials whatever key holds them. */
const SECRET_LIKE_VALUES: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, // JWT
  /\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=/i, // connection strings
  /[?&]sig=[A-Za-z0-9%+/=]{10,}/, // SAS token
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, // credentials in a URL
  /\b(ghp|gho|ghs|github_pat|glpat|xox[abprs])[-_][A-Za-z0-9_-]{10,}/, // GitHub, GitLab, Slack tokens
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key
  /^\s*(Bearer|Basic|Token|Digest|Negotiate|ApiKey)\s+[A-Za-z0-9._~+/=-]{8,}/i, // an HTTP Authorization value
  /^[A-Za-z0-9+/]{86}==$/, // Azure storage account key
];

export function looksLikeSecretValue(value: string): boolean {
  return SECRET_LIKE_VALUES.some((re) => re.test(value));
}

// ---------------------------------------------------------------------------------------------
// Files

export interface FileRules {
  /** Folders the file must be inside (after resolving symlinks); undefined: anywhere. */
  roots?: readonly string[];
}

/**
 * Reads a profile or layer file, or says why not: only a regular .yaml/.yml file under
 * MAX_PROFILE_BYTES, inside the allowed roots. Never opens a FIFO, a device or a directory.
 */
export function readProfileSource(file: string, rules: FileRules): { text: string } | { problem: string } {
  if (!PROFILE_EXTENSIONS.includes(extname(file))) return { problem: 'a profile file must have the extension .yaml or .yml' };
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ELOOP' ? 'is a symlink loop' : code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'a part of its path is not a folder' : `cannot be read (${code})` };
  }
  if (rules.roots && !rules.roots.some((root) => isInside(real, root)))
    return { problem: 'is outside the repository (and the profiles folder); pass --allow-outside-repo to read it anyway' };
  const st = statSync(real);
  if (!st.isFile()) return { problem: `is not a regular file (${st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a named pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a file'})` };
  if (st.size > MAX_PROFILE_BYTES) return { problem: `is larger than ${MAX_PROFILE_BYTES / 1024 / 1024} MiB (${st.size} bytes); a profile holds settings, not data` };
  // Read at most the limit plus one byte: a file that grows meanwhile is still bounded.
  const fd = openSync(real, 'r');
  try {
    if (!fstatSync(fd).isFile()) return { problem: 'is not a regular file' };
    const buf = Buffer.alloc(MAX_PROFILE_BYTES + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > MAX_PROFILE_BYTES) return { problem: `is larger than ${MAX_PROFILE_BYTES / 1024 / 1024} MiB; a profile holds settings, not data` };
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n)) };
    } catch {
      return { problem: 'is not valid UTF-8 text' };
    }
  } finally {
    closeSync(fd);
  }
}

function isInside(path: string, root: string): boolean {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return false;
  }
  return path === realRoot || path.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

// ---------------------------------------------------------------------------------------------
// Schema walk

interface SchemaStep {
  node: any;
  /** The key is free text of the profile (a map's own key or an unknown key), not a schema property. */
  freeForm: boolean;
  /** The schema's propertyNames pattern for such keys. */
  namePattern?: string;
}

function deref(node: any): any {
  while (node && typeof node === 'object' && node.$ref) node = (PROFILE_SCHEMA as any).definitions[String(node.$ref).split('/').pop()!];
  return node;
}

function alternatives(node: any): any[] {
  node = deref(node);
  if (!node || typeof node !== 'object') return [];
  const alts = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])].map(deref);
  return [node, ...alts.flatMap(alternatives)];
}

function childSchema(parent: any, seg: PathSegment): SchemaStep {
  const nodes = alternatives(parent);
  if (typeof seg === 'number') {
    const item = nodes.map((n) => n.items).find((i) => i !== undefined);
    return { node: deref(item), freeForm: !item };
  }
  for (const n of nodes) if (n.properties && Object.hasOwn(n.properties, seg)) return { node: deref(n.properties[seg]), freeForm: false };
  for (const n of nodes)
    if (n.additionalProperties && n.additionalProperties !== false)
      return { node: n.additionalProperties === true ? undefined : deref(n.additionalProperties), freeForm: true, namePattern: n.propertyNames?.pattern };
  return { node: undefined, freeForm: true };
}

/** A map's own key may be printed when the schema restricts such keys to names (an agent, a node pool). */
function printableName(step: SchemaStep, key: string): boolean {
  return !!step.namePattern && key.length <= 63 && new RegExp(step.namePattern).test(key) && !credentialLikeKey(key);
}

/**
 * A key path as it may be printed: schema key names and list indexes as they are, every key
 * the profile chose itself (a map's own key, an unknown key) as `<key>`, since it may be a
 * pasted secret. The position printed beside it says which one.
 */
export function safeFormatPath(path: readonly PathSegment[]): string {
  let node: any = PROFILE_SCHEMA;
  const shown: PathSegment[] = [];
  for (const seg of path) {
    const step = childSchema(node, seg);
    shown.push(typeof seg === 'number' || !step.freeForm || PROTOTYPE_KEYS.has(seg) || printableName(step, seg) ? seg : '<key>');
    node = step.node;
  }
  return formatPath(shown);
}

// ---------------------------------------------------------------------------------------------
// Document scan

export interface ScanContext {
  file: string;
  text: string;
  lineCounter: LineCounter;
}

const EMPTY_VALUE = /^(?:""|''|null|Null|NULL|~)?$/;

/**
 * Everything after a secret key up to the next line indented at most as far as the key: the
 * value, its tag and anchor, its comment, the lines of a block scalar. Empty (or an empty
 * string or null) is the only content allowed.
 */
function textAfterKey(pair: Pair, parent: YAMLMap, ctx: ScanContext): string {
  const key = pair.key as Node;
  const keyEnd = key.range![1];
  const value = pair.value as Node | null;
  let end: number;
  if (parent.flow) end = value?.range ? value.range[1] : keyEnd + 1;
  else {
    const keyCol = ctx.lineCounter.linePos(key.range![0]).col;
    end = ctx.text.length;
    let at = ctx.text.indexOf('\n', keyEnd);
    while (at !== -1) {
      const lineStart = at + 1;
      const m = /^[ ]*/.exec(ctx.text.slice(lineStart, lineStart + 1000))!;
      const rest = ctx.text.charAt(lineStart + m[0].length);
      if (rest !== '' && rest !== '\n' && rest !== '\r' && m[0].length + 1 <= keyCol) {
        end = lineStart;
        break;
      }
      at = ctx.text.indexOf('\n', lineStart);
    }
  }
  return ctx.text.slice(keyEnd, end).replace(/^\s*:/, '').trim();
}

const ALLOWED_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

/** Checks a parsed document (free of syntax errors) and returns its problems. */
export function scanDocument(doc: Document, ctx: ScanContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (node: Node | null | undefined, path: readonly PathSegment[], message: string) => {
    const pos = node?.range ? ctx.lineCounter.linePos(node.range[0]) : undefined;
    out.push({ file: ctx.file, ...(pos ? { line: pos.line, col: pos.col } : {}), path: safeFormatPath(path), message });
  };
  const anchors = new Set<string>();
  let aliases = 0;

  const checkProps = (node: Node, path: readonly PathSegment[]) => {
    if (node.anchor) anchors.add(node.anchor);
    if (node.tag && !ALLOWED_TAGS.has(node.tag) && !(isScalar(node) && node.tag === '!'))
      at(node, path, 'has a YAML tag that profiles do not use (only plain strings, numbers, booleans, lists and mappings)');
  };

  const visit = (node: Node | null, schema: any, freeForm: boolean, path: PathSegment[]) => {
    if (!node) return;
    if (isAlias(node)) {
      aliases++;
      if (aliases === MAX_ALIASES + 1) at(node, path, `more than ${MAX_ALIASES} YAML aliases in one file; write the values out`);
      if (!anchors.has(node.source)) at(node, path, 'YAML alias refers to no anchor defined before it');
      return;
    }
    checkProps(node, path);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') {
        const m = CONTROL.exec(v);
        if (m) at(node, path, `contains the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}; profiles hold printable text only`);
        else if (freeForm && looksLikeSecretValue(v)) at(node, path, 'looks like a credential (a key, token, password or connection string); profiles never carry secrets: store it in Azure Key Vault and reference it');
      } else if (typeof v === 'number' && (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER)) at(node, path, 'is a number out of range');
      return;
    }
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const step = childSchema(schema, i);
        visit(item as Node, step.node, freeForm || step.freeForm, [...path, i]);
      });
      return;
    }
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number' && typeof keyNode.value !== 'boolean')) {
          at(keyNode, path, 'a key must be plain text, not a list, a mapping or an alias');
          continue;
        }
        checkProps(keyNode, path);
        const key = String(keyNode.value);
        const keyPath = [...path, key];
        if (CONTROL_IN_KEY.test(key)) {
          at(keyNode, path, 'a key contains a control character');
          continue;
        }
        if (PROTOTYPE_KEYS.has(key)) {
          at(keyNode, keyPath, `unknown key (${key} is never a profile key)`);
          continue;
        }
        const line = ctx.lineCounter.linePos(keyNode.range![0]).line;
        const first = seen.get(key);
        if (first !== undefined) at(keyNode, keyPath, `is set twice in one mapping (first on line ${first})`);
        else seen.set(key, line);
        const step = childSchema(schema, key);
        const secretTemplate = step.node?.['x-key-vault-secret'];
        const value = pair.value as Node | null;
        const valueIsScalarLike = !value || isScalar(value) || isAlias(value);
        // A switch is never a credential (webhook: false, authEnabled: true); anything else under such a name may be.
        const plainSwitch = isScalar(value) && typeof value.value === 'boolean' && !value.tag && !value.anchor;
        if (typeof secretTemplate === 'string' || (step.freeForm && credentialLikeKey(key) && valueIsScalarLike && !plainSwitch)) {
          const after = textAfterKey(pair, node, ctx);
          const propsOnValue = !!value && (isAlias(value) || !!value.anchor || !!value.tag || !!value.comment || !!value.commentBefore);
          if (!EMPTY_VALUE.test(after) || propsOnValue) {
            if (typeof secretTemplate === 'string') {
              const name = keyVaultSecretName(secretTemplate, keyPath, rootFor(path, node));
              at(keyNode, keyPath, `holds a secret value; profiles never carry secrets. Store it in Azure Key Vault as the secret "${name}" and remove this key (workloads read it from Key Vault)`);
            } else
              at(keyNode, keyPath, 'has a credential-like name (password, token, key, secret) and a value; profiles never carry secrets: store it in Azure Key Vault and reference it');
            continue; // its value is not looked at any further
          }
        }
        visit(value, step.node, freeForm || step.freeForm, keyPath);
      }
      return;
    }
  };
  visit(doc.contents as Node | null, PROFILE_SCHEMA, false, []);
  return out;
}

/** Just enough of the data around a secret key for its Key Vault name ({sibling:name}). */
function rootFor(parentPath: readonly PathSegment[], parent: YAMLMap): unknown {
  const name = parent.get('name');
  let node: any = { name: typeof name === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(name) ? name : 'unnamed' };
  for (let i = parentPath.length - 1; i >= 0; i--) {
    const seg = parentPath[i]!;
    node = typeof seg === 'number' ? Object.assign([], { [seg]: node }) : { [seg]: node };
  }
  return node;
}
