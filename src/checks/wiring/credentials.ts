import { eckElasticUserSecret, eckHttpService } from '../../model/eck';
import { WORKLOAD_KINDS, workloadPodSpec } from '../../model/pod-templates';
import { type Index, key } from './cluster-index';

/** Authenticated servers: the credential each accepts, and where a client's comes from. */

export interface AuthRule {
  /** Services whose clients must authenticate. */
  service: (name: string) => boolean;
  /** Client environment variables that carry the credential. */
  clientEnv: RegExp;
  /** The credential source the server accepts, from the compiled objects. */
  server: (ix: Index, ns: string) => string | undefined;
}

/** The environment variable's source: the Key Vault secret or generated Secret it is read from. */
export function envSource(container: any, name: string, ns: string, ix: Index): string | undefined {
  const e = (container.env ?? []).find((x: any) => x.name === name);
  const ref = e?.valueFrom?.secretKeyRef;
  if (!ref) return undefined;
  return ix.secrets.get(key(ns, ref.name))?.source(ref.key) ?? `Secret ${ref.name}`;
}

function workloadContainers(ix: Index, name: string, ns: string): any[] {
  const w = ix.manifests.find((m) => WORKLOAD_KINDS.has(m.kind) && m.metadata.name === name && m.metadata.namespace === ns);
  return w ? (workloadPodSpec(w)!.containers ?? []) : [];
}

/** Where each authenticated server's accepted credential comes from. */
export const AUTH_RULES: AuthRule[] = [
  {
    // The HTTP Service of any Elasticsearch resource (ECK's `<name>-es-http`).
    service: (name) => name.endsWith(eckHttpService('Elasticsearch', '')),
    clientEnv: /^(ELASTIC|ES)_(PASSWORD|PASSWD)$/,
    server: (ix, ns) => {
      const es = ix.manifests.find((m) => m.kind === 'Elasticsearch' && m.metadata.namespace === ns) as any;
      if (!es) return undefined;
      // The elastic user: from a basic-auth Secret of the file realm, or the password ECK generates.
      const realm = (es.spec?.auth?.fileRealm ?? []).map((r: any) => ix.secrets.get(key(ns, r.secretName))).find((x: any) => x?.keys?.has('password'));
      if (realm) return realm.source('password');
      const generated = eckElasticUserSecret(es.metadata.name);
      return ix.secrets.get(key(ns, generated.name))?.source(generated.key);
    },
  },
  {
    service: (name) => name === 'mongodb',
    clientEnv: /^MONGODB_(URI|PASSWORD|ADMIN_PASSWORD)$/,
    server: (ix, ns) => {
      const mongo = workloadContainers(ix, 'mongodb', ns).find((c) => c.name === 'mongodb');
      return mongo ? envSource(mongo, 'MONGO_INITDB_ROOT_PASSWORD', ns, ix) : undefined;
    },
  },
  {
    service: (name) => name === 'grafana',
    clientEnv: /^GRAFANA_ADMIN_PASSWORD$/,
    server: (ix, ns) => {
      const grafana = workloadContainers(ix, 'grafana', ns).find((c) => c.name === 'grafana');
      return grafana ? envSource(grafana, 'GF_SECURITY_ADMIN_PASSWORD', ns, ix) : undefined;
    },
  },
];

