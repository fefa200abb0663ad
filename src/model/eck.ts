/**
 * What the ECK operator makes of an Elasticsearch or Kibana resource, at the version we pin: the
 * ports of the pods it creates, the HTTP Service and the Secrets it writes beside them. None of
 * these appear in our compiled objects, so the component that writes the resources and every check
 * that reads them take them from here.
 */

/** ECK's API group (`elasticsearch.k8s.elastic.co`, `kibana.k8s.elastic.co`). */
export const ECK_API_GROUP = 'k8s.elastic.co';

export type EckKind = 'Elasticsearch' | 'Kibana';

/** A container port of a pod ECK creates (all TCP). */
export interface EckPort {
  name: string;
  port: number;
}

interface EckConvention {
  /** Container ports of the pods (ECK's defaults; the resources do not list them). */
  ports: readonly EckPort[];
  /** The name of the HTTP port, on the pods and on the HTTP Service. */
  httpPort: string;
  /** `<name><suffix>`: the HTTP Service, and the prefix of the public CA Secret. */
  httpServiceSuffix: string;
}

const CONVENTIONS: Record<EckKind, EckConvention> = {
  Elasticsearch: { ports: [{ name: 'https', port: 9200 }, { name: 'transport', port: 9300 }], httpPort: 'https', httpServiceSuffix: '-es-http' },
  Kibana: { ports: [{ name: 'https', port: 5601 }], httpPort: 'https', httpServiceSuffix: '-kb-http' },
};

/** Whether a kind is one of ECK's (the compiled object's kind; callers that care check the API group too). */
export const isEckKind = (kind: string): kind is EckKind => Object.hasOwn(CONVENTIONS, kind);

/** Container ports of the pods ECK creates for a resource of this kind. */
export const eckPorts = (kind: EckKind): EckPort[] => CONVENTIONS[kind].ports.map((p) => ({ ...p }));

/** The HTTP port of the pods and the HTTP Service ECK creates. */
export const eckHttpPort = (kind: EckKind): EckPort => ({ ...CONVENTIONS[kind].ports.find((p) => p.name === CONVENTIONS[kind].httpPort)! });

/** The HTTP Service ECK creates for a resource: `<name>-es-http`, `<name>-kb-http`. */
export const eckHttpService = (kind: EckKind, name: string): string => `${name}${CONVENTIONS[kind].httpServiceSuffix}`;

/** The Secret with the public part of the HTTP certificate ECK writes (`ca.crt`, `tls.crt`). */
export const eckHttpCertsSecret = (kind: EckKind, name: string): string => `${eckHttpService(kind, name)}-certs-public`;

/** The keys of the public HTTP certificate Secret; `ca.crt` is the CA clients verify against. */
export const ECK_HTTP_CERTS_KEYS = ['ca.crt', 'tls.crt'] as const;
export const ECK_CA_KEY = 'ca.crt';

/** The Secret with the password ECK generates for the elastic user (when no file realm gives one), and its key. */
export const eckElasticUserSecret = (name: string): { name: string; key: string } => ({ name: `${name}-es-elastic-user`, key: 'elastic' });
