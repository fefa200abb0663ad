import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';

/**
 * Stand-ins of Elasticsearch 8 and Kibana 8 (neither is packaged for this machine): HTTPS servers
 * on loopback that check basic authentication, record every request, keep the state the APIs the
 * provisioning uses would keep, and answer as those APIs do — including the errors that matter
 * here: creating an index that exists, an alias whose name an index already has, a write to a
 * missing index that `action.auto_create_index` does not allow.
 */
export interface Recorded {
  method: string;
  path: string;
  body: string;
}

/** A certificate authority and a server certificate for `localhost`, made with openssl for the test. */
export function testCertificates(dir: string, name = 'localhost'): { ca: string; key: string; cert: string } {
  const f = (n: string) => join(dir, n);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', `/CN=${name}`);
  writeFileSync(f('san.ext'), `subjectAltName=DNS:${name}\n`);
  run('x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('tls.crt'), '-days', '1', '-extfile', f('san.ext'));
  return { ca: f('ca.crt'), key: readFileSync(f('tls.key'), 'utf8'), cert: readFileSync(f('tls.crt'), 'utf8') };
}

const send = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const error = (type: string, reason: string) => ({ error: { type, reason, root_cause: [{ type, reason }] }, status: 0 });

/** Elasticsearch's simple wildcard match (`Regex.simpleMatch`). */
const matches = (pattern: string, name: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);

/** `action.auto_create_index`: true, false, or `+a,-b*` patterns where the first that matches decides. */
export function autoCreateAllowed(setting: string | undefined, index: string): boolean {
  if (setting === undefined || setting === 'true') return true;
  if (setting === 'false') return false;
  for (const raw of setting.split(',').map((s) => s.trim())) {
    const include = !raw.startsWith('-');
    const pattern = raw.replace(/^[+-]/, '');
    if (matches(pattern, index)) return include;
  }
  return false;
}

interface Index {
  aliases: Record<string, { is_write_index?: boolean }>;
  settings: Record<string, unknown>;
  docs: unknown[];
}

export class ElasticStandIn {
  readonly requests: Recorded[] = [];
  readonly state = {
    pipelines: {} as Record<string, unknown>,
    ilm: {} as Record<string, unknown>,
    repositories: {} as Record<string, unknown>,
    templates: {} as Record<string, any>,
    indices: {} as Record<string, Index>,
    slm: {} as Record<string, unknown>,
    roles: {} as Record<string, unknown>,
    users: {} as Record<string, any>,
    kibana: {} as Record<string, unknown>,
  };
  /** Answers 503 to health checks this many times (a cluster still starting). */
  unhealthyFor = 0;
  private servers: Server[] = [];

  constructor(private readonly auth: { user: string; password: string }, private readonly autoCreateIndex?: string) {}

  /** A copy of the state, to compare runs. */
  snapshot(): string {
    return JSON.stringify(this.state);
  }

  async start(tls: { key: string; cert: string }): Promise<{ elasticsearch: number; kibana: number }> {
    const listen = (handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) =>
      new Promise<number>((resolve) => {
        const server = createServer(tls, (req, res) => {
          let body = '';
          req.setEncoding('latin1');
          req.on('data', (d) => (body += d));
          req.on('end', () => {
            this.requests.push({ method: req.method!, path: req.url!, body });
            const expected = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
            if (req.headers.authorization !== expected) return send(res, 401, error('security_exception', 'unable to authenticate user'));
            handler(req, body, res);
          });
        });
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
        this.servers.push(server);
      });
    return { elasticsearch: await listen((q, b, r) => this.elasticsearch(q, b, r)), kibana: await listen((q, b, r) => this.kibanaApi(q, b, r)) };
  }

  stop(): void {
    for (const s of this.servers) s.close();
  }

  /** The index a write to `name` lands in: the alias's write index, the index itself, or none. */
  private writeIndex(name: string): string | undefined {
    if (this.state.indices[name]) return name;
    return Object.entries(this.state.indices).find(([, i]) => i.aliases[name]?.is_write_index)?.[0];
  }

  private createIndex(name: string, aliases: Index['aliases'] = {}): void {
    const template = Object.values(this.state.templates)
      .filter((t) => t.index_patterns.some((p: string) => matches(p, name)))
      .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0))[0];
    this.state.indices[name] = { aliases, settings: template?.template?.settings ?? {}, docs: [] };
  }

  private elasticsearch(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url!, 'https://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const json = () => JSON.parse(body || '{}');
    const put = (store: Record<string, unknown>, key: string) => {
      store[key] = json();
      send(res, 200, { acknowledged: true });
    };
    const [first, second] = parts;
    if (req.method === 'GET' && first === '_cluster' && second === 'health') {
      if (this.unhealthyFor > 0) {
        this.unhealthyFor--;
        return send(res, 503, error('master_not_discovered_exception', 'no master'));
      }
      return send(res, 200, { status: 'green' });
    }
    if (req.method === 'PUT' && first === '_ingest' && second === 'pipeline') return put(this.state.pipelines, parts[2]!);
    if (req.method === 'PUT' && first === '_ilm' && second === 'policy') return put(this.state.ilm, parts[2]!);
    if (req.method === 'PUT' && first === '_snapshot') return put(this.state.repositories, second!);
    if (req.method === 'PUT' && first === '_index_template') return put(this.state.templates, second!);
    if (req.method === 'PUT' && first === '_slm' && second === 'policy') return put(this.state.slm, parts[2]!);
    if (req.method === 'PUT' && first === '_security' && second === 'role') return put(this.state.roles, parts[2]!);
    if (req.method === 'PUT' && first === '_security' && second === 'user') {
      const doc = json();
      if (!this.state.users[parts[2]!] && !doc.password) return send(res, 400, error('action_request_validation_exception', 'password must be specified'));
      const created = !this.state.users[parts[2]!];
      this.state.users[parts[2]!] = doc;
      return send(res, 200, { created });
    }
    if (req.method === 'HEAD' && first === '_alias') {
      const has = Object.values(this.state.indices).some((i) => second! in i.aliases);
      return send(res, has ? 200 : 404);
    }
    if (req.method === 'POST' && first === '_bulk') {
      const lines = body.split('\n').filter(Boolean);
      const items: unknown[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!);
        const op = Object.keys(action)[0]!;
        const name = action[op]._index as string;
        let target = this.writeIndex(name);
        if (!target && autoCreateAllowed(this.autoCreateIndex, name)) {
          this.createIndex(name);
          target = name;
        }
        if (!target) {
          items.push({ [op]: { _index: name, status: 404, error: { type: 'index_not_found_exception', reason: `no such index [${name}] and [action.auto_create_index] ([${this.autoCreateIndex}]) doesn't match` } } });
          continue;
        }
        this.state.indices[target]!.docs.push(JSON.parse(lines[i + 1]!));
        items.push({ [op]: { _index: target, status: 201, result: 'created' } });
      }
      return send(res, 200, { errors: items.some((it: any) => Object.values(it as object)[0].status >= 300), items });
    }
    if (req.method === 'PUT' && parts.length === 1 && !first!.startsWith('_')) {
      if (this.state.indices[first!]) return send(res, 400, error('resource_already_exists_exception', `index [${first}] already exists`));
      const aliases = (json().aliases ?? {}) as Index['aliases'];
      for (const alias of Object.keys(aliases))
        if (this.state.indices[alias]) return send(res, 400, error('invalid_alias_name_exception', `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`));
      this.createIndex(first!, aliases);
      return send(res, 200, { acknowledged: true, shards_acknowledged: true, index: first });
    }
    send(res, 400, error('illegal_argument_exception', `the stand-in has no ${req.method} ${url.pathname}`));
  }

  private kibanaApi(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url!, 'https://x');
    if (req.method === 'GET' && url.pathname === '/api/status') return send(res, 200, { status: { overall: { level: 'available' } } });
    if (req.method === 'POST' && url.pathname === '/api/saved_objects/_import') {
      // Kibana refuses API writes without the kbn-xsrf header, and imports only multipart file uploads.
      if (!req.headers['kbn-xsrf']) return send(res, 400, { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' });
      const type = String(req.headers['content-type'] ?? '');
      const boundary = /boundary=(.+)$/.exec(type)?.[1];
      if (!type.startsWith('multipart/form-data') || !boundary) return send(res, 415, { statusCode: 415, message: 'Unsupported Media Type' });
      const file = body.split(`--${boundary}`)[1]!.split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/\r\n$/, '');
      const objects = file.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).filter((o) => o.type && o.id);
      for (const o of objects) {
        if (this.state.kibana[`${o.type}/${o.id}`] && url.searchParams.get('overwrite') !== 'true')
          return send(res, 200, { success: false, errors: [{ type: o.type, id: o.id, error: { type: 'conflict' } }] });
        this.state.kibana[`${o.type}/${o.id}`] = o;
      }
      return send(res, 200, { success: true, successCount: objects.length });
    }
    send(res, 404, { statusCode: 404, message: 'Not Found' });
  }
}
