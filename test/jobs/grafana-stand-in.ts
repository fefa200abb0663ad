import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A stand-in of Grafana 11's HTTP API (Grafana is not packaged for this machine): loopback HTTP,
 * basic authentication against its users, and the endpoints the provisioning, export and import
 * use, keeping their state and answering with Grafana's status codes (404 for a missing user,
 * folder or data source; 412 for a login that exists). Provisioned objects are marked as Grafana
 * marks them (`meta.provisioned`, `readOnly`).
 */
interface User {
  id: number;
  login: string;
  password: string;
  role: 'Admin' | 'Editor' | 'Viewer';
}

const send = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

export class GrafanaStandIn {
  readonly requests: { method: string; path: string; user: string }[] = [];
  readonly state = {
    users: [] as User[],
    folders: {} as Record<string, { uid: string; title: string; parentUid?: string | null }>,
    dashboards: {} as Record<string, { dashboard: any; folderUid: string; provisioned: boolean }>,
    datasources: {} as Record<string, any>,
    alertRules: {} as Record<string, any>,
    contactPoints: {} as Record<string, any>,
    policies: { receiver: 'grafana-default-email' } as any,
    preferences: { theme: '', homeDashboardUID: '', timezone: '' } as any,
  };
  private server?: Server;
  private nextId = 1;

  constructor(admin: { user: string; password: string }) {
    this.state.users.push({ id: this.nextId++, login: admin.user, password: admin.password, role: 'Admin' });
  }

  snapshot(): string {
    return JSON.stringify(this.state);
  }

  start(): Promise<number> {
    return new Promise((resolve) => {
      this.server = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => this.handle(req, body, res));
      });
      this.server.listen(0, '127.0.0.1', () => resolve((this.server!.address() as { port: number }).port));
    });
  }

  stop(): void {
    this.server?.close();
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    const path = url.pathname;
    const method = req.method!;
    const [login, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    const user = this.state.users.find((u) => u.login === login && u.password === password);
    this.requests.push({ method, path: req.url!, user: login ?? '' });
    if (path === '/api/health') return send(res, 200, { database: 'ok', version: '11.2.0' });
    if (!user) return send(res, 401, { message: 'invalid username or password' });
    const json = () => JSON.parse(body || '{}');
    if (method === 'GET' && path === '/api/user') return send(res, 200, { id: user.id, login: user.login });
    if (user.role !== 'Admin') return send(res, 403, { message: 'Permission denied' });
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/api/users/lookup') {
      const found = this.state.users.find((u) => u.login === url.searchParams.get('loginOrEmail'));
      return found ? send(res, 200, { id: found.id, login: found.login }) : send(res, 404, { message: 'user not found' });
    }
    if (method === 'POST' && path === '/api/admin/users') {
      const b = json();
      if (this.state.users.some((u) => u.login === b.login)) return send(res, 412, { message: 'user already exists' });
      // Grafana gives a new user its organisation's default role, Viewer.
      const created: User = { id: this.nextId++, login: b.login, password: b.password, role: 'Viewer' };
      this.state.users.push(created);
      return send(res, 200, { id: created.id, message: 'User created' });
    }
    if (method === 'PUT' && (m = /^\/api\/admin\/users\/(\d+)\/password$/.exec(path))) {
      const target = this.state.users.find((u) => u.id === Number(m![1]));
      if (!target) return send(res, 404, { message: 'user not found' });
      target.password = json().password;
      return send(res, 200, { message: 'User password updated' });
    }
    if (method === 'GET' && path === '/api/org/users') return send(res, 200, this.state.users.map((u) => ({ userId: u.id, login: u.login, role: u.role })));
    if (method === 'PATCH' && (m = /^\/api\/org\/users\/(\d+)$/.exec(path))) {
      const target = this.state.users.find((u) => u.id === Number(m![1]));
      if (!target) return send(res, 404, { message: 'user not found' });
      target.role = json().role;
      return send(res, 200, { message: 'Organization user updated' });
    }
    if (method === 'GET' && path === '/api/search') {
      if (url.searchParams.get('type') === 'dash-folder') return send(res, 200, Object.values(this.state.folders).map((f) => ({ uid: f.uid, title: f.title, type: 'dash-folder' })));
      return send(res, 200, Object.entries(this.state.dashboards).map(([uid, d]) => ({ uid, title: d.dashboard.title, type: 'dash-db', folderUid: d.folderUid })));
    }
    if ((m = /^\/api\/folders\/([^/]+)$/.exec(path))) {
      const uid = decodeURIComponent(m[1]!);
      const f = this.state.folders[uid];
      if (method === 'GET') return f ? send(res, 200, f) : send(res, 404, { message: 'folder not found' });
      if (method === 'PUT') {
        if (!f) return send(res, 404, { message: 'folder not found' });
        this.state.folders[uid] = { ...f, title: json().title };
        return send(res, 200, this.state.folders[uid]);
      }
    }
    if (method === 'POST' && path === '/api/folders') {
      const b = json();
      if (this.state.folders[b.uid]) return send(res, 409, { message: 'a folder with the same uid already exists' });
      this.state.folders[b.uid] = { uid: b.uid, title: b.title, parentUid: b.parentUid ?? null };
      return send(res, 200, this.state.folders[b.uid]);
    }
    if (method === 'GET' && (m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path))) {
      const d = this.state.dashboards[decodeURIComponent(m[1]!)];
      return d ? send(res, 200, { dashboard: d.dashboard, meta: { folderUid: d.folderUid, provisioned: d.provisioned } }) : send(res, 404, { message: 'Dashboard not found' });
    }
    if (method === 'POST' && path === '/api/dashboards/db') {
      const b = json();
      const uid = b.dashboard.uid;
      if (this.state.dashboards[uid] && !b.overwrite) return send(res, 412, { status: 'version-mismatch' });
      if (b.folderUid && !this.state.folders[b.folderUid]) return send(res, 400, { message: 'folder not found' });
      this.state.dashboards[uid] = { dashboard: { ...b.dashboard, id: undefined }, folderUid: b.folderUid ?? '', provisioned: false };
      return send(res, 200, { uid, status: 'success' });
    }
    if (method === 'GET' && path === '/api/datasources') return send(res, 200, Object.values(this.state.datasources));
    if ((m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path))) {
      const uid = decodeURIComponent(m[1]!);
      if (method === 'GET') return this.state.datasources[uid] ? send(res, 200, this.state.datasources[uid]) : send(res, 404, { message: 'Data source not found' });
      if (method === 'PUT') {
        if (this.state.datasources[uid]?.readOnly) return send(res, 403, { message: 'Cannot update read-only data source' });
        this.state.datasources[uid] = json();
        return send(res, 200, { message: 'Datasource updated' });
      }
    }
    if (method === 'POST' && path === '/api/datasources') {
      const b = json();
      if (this.state.datasources[b.uid]) return send(res, 409, { message: 'data source with the same uid already exists' });
      this.state.datasources[b.uid] = b;
      return send(res, 200, { message: 'Datasource added' });
    }
    /** The provisioning API's collections, by uid: [status, body]. */
    const collection = (name: 'alertRules' | 'contactPoints', prefix: string): [number, unknown] => {
      if (method === 'GET' && path === prefix) return [200, Object.values(this.state[name])];
      if (method === 'POST' && path === prefix) {
        const b = json();
        if (this.state[name][b.uid]) return [409, { message: 'conflict' }];
        this.state[name][b.uid] = b;
        return [201, b];
      }
      const one = new RegExp(`^${prefix}/([^/]+)$`).exec(path);
      const uid = one ? decodeURIComponent(one[1]!) : '';
      if (one && method === 'GET') return this.state[name][uid] ? [200, this.state[name][uid]] : [404, { message: 'not found' }];
      if (one && method === 'PUT') {
        if (!this.state[name][uid]) return [404, { message: 'not found' }];
        this.state[name][uid] = json();
        return [name === 'contactPoints' ? 202 : 200, this.state[name][uid]];
      }
      return [404, { message: 'not found' }];
    };
    if (path.startsWith('/api/v1/provisioning/alert-rules')) return send(res, ...collection('alertRules', '/api/v1/provisioning/alert-rules'));
    if (path.startsWith('/api/v1/provisioning/contact-points')) return send(res, ...collection('contactPoints', '/api/v1/provisioning/contact-points'));
    if (path === '/api/v1/provisioning/policies') {
      if (method === 'GET') return send(res, 200, this.state.policies);
      if (method === 'PUT') {
        this.state.policies = json();
        return send(res, 202, { message: 'policies updated' });
      }
    }
    if (path === '/api/org/preferences') {
      if (method === 'GET') return send(res, 200, this.state.preferences);
      if (method === 'PUT') {
        this.state.preferences = json();
        return send(res, 200, { message: 'Preferences updated' });
      }
    }
    send(res, 404, { message: `the stand-in has no ${method} ${path}` });
  }
}
