import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp, type Socket } from 'node:net';
import { createSecureContext, createServer as createTls, TLSSocket } from 'node:tls';

/**
 * Stand-ins for what cannot run here, each on loopback, each recording what it received:
 * Elasticsearch's HTTP API (as elasticsearch_exporter reads it), an SMTP relay with STARTTLS and
 * AUTH, webhook receivers, a TLS endpoint for the probes, and metrics endpoints of the programs
 * Debian does not package (they answer a scrape with a fixed body).
 */
export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface StandIn {
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

function listen(server: Server | ReturnType<typeof createTls> | ReturnType<typeof createTcp>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

const closer = (server: { close(cb: () => void): void; closeAllConnections?: () => void }) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/** An HTTP(S) server that records every request and answers through `handle`. */
export async function httpStandIn(port: number, handle: Handler, tls?: { cert: string; key: string }): Promise<StandIn> {
  const requests: Recorded[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(r);
      handle(r, res);
    });
  };
  const server = tls ? createHttps({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, onRequest) : createHttp(onRequest);
  await listen(server, port);
  return { port, requests, close: closer(server) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * Elasticsearch as elasticsearch_exporter queries it: `/` (cluster info), `/_cluster/health`,
 * `/_nodes/stats` and `/_nodes/_local/stats`, with the fields its collectors parse. It requires
 * the basic auth it is given; `health` sets the colour it reports.
 */
export async function elasticsearchStandIn(port: number, tls: { cert: string; key: string }, auth: string): Promise<StandIn & { health: { status: 'green' | 'yellow' | 'red' } }> {
  const health = { status: 'green' as 'green' | 'yellow' | 'red' };
  const expected = `Basic ${Buffer.from(auth).toString('base64')}`;
  const s = await httpStandIn(port, (req, res) => {
    if (req.headers.authorization !== expected) return json(res, 401, { error: { type: 'security_exception' }, status: 401 });
    const path = req.path.split('?')[0] ?? '';
    if (path === '/') return json(res, 200, { name: 'elasticsearch-es-default-0', cluster_name: 'elasticsearch', cluster_uuid: 'stand-in', version: { number: '8.15.3', build_hash: 'x', lucene_version: '9.11.1' }, tagline: 'You Know, for Search' });
    if (path === '/_cluster/health') {
      const red = health.status === 'red';
      return json(res, 200, {
        cluster_name: 'elasticsearch', status: health.status, timed_out: false, number_of_nodes: 3, number_of_data_nodes: 3,
        active_primary_shards: red ? 4 : 5, active_shards: red ? 8 : 10, relocating_shards: 0, initializing_shards: 0, unassigned_shards: red ? 2 : 0,
        delayed_unassigned_shards: 0, number_of_pending_tasks: 0, number_of_in_flight_fetch: 0, task_max_waiting_in_queue_millis: 0, active_shards_percent_as_number: red ? 80 : 100,
      });
    }
    if (path.startsWith('/_nodes')) {
      const node = (i: number) => [`node-${i}`, { name: `elasticsearch-es-default-${i}`, host: `10.0.0.${i + 10}`, ip: `10.0.0.${i + 10}`, roles: ['master', 'data'], indices: { docs: { count: 10, deleted: 0 } }, jvm: { mem: { heap_used_in_bytes: 1, heap_max_in_bytes: 2 } } }];
      return json(res, 200, { _nodes: { total: 3, successful: 3, failed: 0 }, cluster_name: 'elasticsearch', nodes: Object.fromEntries([0, 1, 2].map(node)) });
    }
    return json(res, 404, { error: 'stand-in knows no ' + path });
  }, tls);
  return Object.assign(s, { health });
}

/** A metrics endpoint: answers every path with the text exposition `body()` returns. */
export const metricsStandIn = (port: number, body: () => string, tls?: { cert: string; key: string }) =>
  httpStandIn(port, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body());
  }, tls);

/** Webhook receivers: records each POST (the path names the receiver) and answers 200. */
export const webhookStandIn = (port: number) =>
  httpStandIn(port, (_req, res) => {
    res.writeHead(200);
    res.end('ok');
  });

/** A TLS endpoint that completes handshakes and closes: what the tls_connect probe reaches. */
export async function tlsStandIn(port: number, tls: { cert: string; key: string }): Promise<{ port: number; close(): Promise<void> }> {
  const server = createTls({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (socket) => socket.end());
  await listen(server, port);
  return { port, close: closer(server) };
}

export interface Mail {
  from: string;
  to: string[];
  data: string;
  /** Whether the message came after STARTTLS. */
  tls: boolean;
  /** The AUTH credentials given (user\0password), if any. */
  auth?: string;
}

/** An SMTP relay: EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA; records each message. */
export async function smtpStandIn(port: number, tls: { cert: string; key: string }): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const context = createSecureContext({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) });
  const sockets = new Set<Socket>();
  const server = createTcp((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    let socket: Socket = raw;
    let secure = false;
    let auth: string | undefined;
    let mail: Partial<Mail> = {};
    let inData = false;
    let loginStep: 'user' | 'password' | undefined;
    let loginUser = '';
    let buffer = '';
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const onLine = (line: string) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          mails.push({ from: mail.from ?? '', to: mail.to ?? [], data: mail.data ?? '', tls: secure, auth });
          mail = {};
          return reply('250 queued');
        }
        mail.data = `${mail.data ?? ''}${line.startsWith('..') ? line.slice(1) : line}\n`;
        return;
      }
      if (loginStep === 'user') {
        loginUser = Buffer.from(line, 'base64').toString();
        loginStep = 'password';
        return reply('334 UGFzc3dvcmQ6');
      }
      if (loginStep === 'password') {
        auth = `${loginUser}\0${Buffer.from(line, 'base64').toString()}`;
        loginStep = undefined;
        return reply('235 authenticated');
      }
      const [verb = '', ...rest] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
        case 'HELO':
          socket.write(`250-stand-in\r\n${secure ? '250-AUTH PLAIN LOGIN\r\n' : '250-STARTTLS\r\n'}250 8BITMIME\r\n`);
          return;
        case 'STARTTLS': {
          reply('220 go ahead');
          raw.removeAllListeners('data');
          const upgraded = new TLSSocket(raw, { isServer: true, secureContext: context });
          upgraded.on('data', onData);
          upgraded.on('error', () => raw.destroy());
          socket = upgraded;
          secure = true;
          return;
        }
        case 'AUTH':
          if (rest[0]?.toUpperCase() === 'PLAIN') {
            auth = Buffer.from(rest[1] ?? '', 'base64').toString().replace(/^\0/, '');
            return reply('235 authenticated');
          }
          loginStep = 'user';
          return reply('334 VXNlcm5hbWU6');
        case 'MAIL':
          mail.from = line.replace(/^MAIL FROM:\s*/i, '');
          return reply('250 ok');
        case 'RCPT':
          mail.to = [...(mail.to ?? []), line.replace(/^RCPT TO:\s*/i, '')];
          return reply('250 ok');
        case 'DATA':
          inData = true;
          return reply('354 end with .');
        case 'RSET':
          mail = {};
          return reply('250 ok');
        case 'QUIT':
          reply('221 bye');
          socket.end();
          return;
        default:
          return reply('250 ok');
      }
    };
    function onData(chunk: Buffer) {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        onLine(line);
      }
    }
    raw.on('data', onData);
    raw.on('error', () => undefined);
    reply('220 stand-in ESMTP');
  });
  await listen(server, port);
  return {
    port,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
