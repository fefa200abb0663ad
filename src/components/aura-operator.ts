import { ApiObject, type ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import { namespaceAccessBinding } from '../constructs/aura-workload';
import { platformNamespace } from '../constructs/namespace';
import { standardLabels } from '../platform/labels';
import { objectName } from '../platform/naming';
import { SINGLETON, type Component, type Platform, type ResourceSpec } from '../platform/types';
import type { Config } from '../profile/config.generated';
import { PROFILE_SCHEMA } from '../profile/schema';
import { keyVaultSecretName } from '../profile/secrets';

/**
 * The Aura operator: its custom resource kinds (the CRDs are installed in the crds phase, their
 * schemas shared with the strict check), and its controller in the core namespace, which runs
 * the context agents in the agents namespace.
 */
/** The Aura operator's API group and the kinds it reconciles. */
export const AURA_GROUP = 'auracognitive.com';
export const AURA_API_VERSION = `${AURA_GROUP}/v1`;
/**
 * The configuration key the Aura operator rewrites at run time: when it provisions a
 * ResolutionResources version it edits user-helper's ConfigMap to point at it. The profile sets the
 * initial value; after that the field is the operator's (GitOps ignores it).
 */
export const OPERATOR_EDITED_CONFIG = { component: 'user-helper', key: 'RESOLUTIONS_VERSION' } as const;
/** The only ResolutionResources object there may be. */
export const RESOLUTION_RESOURCES_NAME = 'resolutionresources';
export const UPDATE_STRATEGIES = ['Patch', 'Minor', 'Major'];
const SEMVER = '^[0-9]+\\.[0-9]+\\.[0-9]+$';

export interface AuraKind {
  kind: string;
  plural: string;
  /** spec properties besides the optional update strategy. */
  spec: Record<string, unknown>;
  required: string[];
  description: string;
  /** CEL rules on the whole object. */
  rules?: { rule: string; message: string }[];
  columns: { name: string; jsonPath: string }[];
}

const VERSION_COLUMN = { name: 'Version', jsonPath: '.spec.version' };
const UPDATE_COLUMN = { name: 'Update', jsonPath: '.spec.update' };

export const AURA_KINDS: AuraKind[] = [
  {
    kind: 'NlpTraining',
    plural: 'nlptrainings',
    description: 'An NLP training package the operator installs and keeps at its version.',
    spec: { version: { type: 'string', pattern: SEMVER, description: 'Package version, X.Y.Z.' } },
    required: ['version'],
    columns: [VERSION_COLUMN, UPDATE_COLUMN],
  },
  {
    kind: 'ResolutionResources',
    plural: 'resolutionresources',
    description: 'The resolution resources version user-helper serves; a single object named resolutionresources.',
    spec: { version: { type: 'string', pattern: SEMVER, description: 'Package version, X.Y.Z; 0.0.0 is the release default.' } },
    required: ['version'],
    rules: [{ rule: `self.metadata.name == '${RESOLUTION_RESOURCES_NAME}'`, message: `there is one ResolutionResources, named ${RESOLUTION_RESOURCES_NAME}` }],
    columns: [VERSION_COLUMN, UPDATE_COLUMN],
  },
  {
    kind: 'Agent',
    plural: 'agents',
    description: 'A context agent: the operator runs its Deployment, Service and ConfigMap.',
    spec: {
      tag: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$', description: 'Image tag of the agent.' },
      storage: {
        type: 'object',
        description: 'An external storage account for its transformations; the environment account when absent.',
        properties: {
          account: { type: 'string' },
          container: { type: 'string' },
          sasTokenSecret: { type: 'string', description: 'Key Vault secret holding the SAS token.' },
        },
        required: ['account', 'container', 'sasTokenSecret'],
      },
    },
    required: ['tag'],
    columns: [{ name: 'Tag', jsonPath: '.spec.tag' }, UPDATE_COLUMN],
  },
];

/** The OpenAPI v3 schema of one of our kinds, as the CRD carries it: its spec, an optional update strategy, a free status. */
export function auraKindSchema(k: AuraKind): Record<string, unknown> {
  return {
    type: 'object',
    description: k.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: k.required,
        properties: {
          ...k.spec,
          update: { type: 'string', enum: UPDATE_STRATEGIES, description: 'Let the operator move to newer versions: Patch (X.Y.z), Minor (X.y.z) or Major (x.y.z); absent keeps the version fixed.' },
        },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    ...(k.rules ? { 'x-kubernetes-validations': k.rules } : {}),
  };
}

type UpdateStrategy = 'Patch' | 'Minor' | 'Major';
/** An NLP training as the profile gives it: a fixed version, or a version the operator may move on from. */
export interface NlpPackage {
  name: string;
  version: string;
  update?: UpdateStrategy;
}
/** nlp_packages by name: a version alone, or { version, update }. */
export const nlpPackages = (c: Config): NlpPackage[] =>
  Object.entries(c.nlp_packages)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, v]) => (typeof v === 'object' && v ? { name, version: v.version, ...(v.update ? { update: v.update } : {}) } : { name, version: String(v) }));
/** The spec's update strategy, only when the profile sets one: absent keeps the version fixed. */
export const updateField = (update: string | undefined): { update?: string } => (update ? { update } : {});

/** An Agent's spec: its own tag (the release's when absent), its update strategy, its external storage. */
export function agentSpec(
  settings: { tag?: string; update?: string } | null | undefined,
  c: Config,
  storage: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return { tag: settings?.tag ?? c.images.tag, ...updateField(settings?.update), ...(storage ? { storage } : {}) };
}

/**
 * The namespaces one Aura operator reconciles: its own core namespace (NlpTraining,
 * ResolutionResources) and its agents namespace. A tenant's operator on its parent's cluster
 * never touches the parent's objects, nor the parent's operator the tenant's.
 */
export const operatorNamespaces = (p: Platform): string[] => [p.namespaces.core, p.namespaces.agents];

const OPERATOR: ResourceSpec = { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

export const auraOperator: Component = {
  name: 'aura-operator',
  objects: (scope, platform, phase) => {
    if (phase === 'crds') new AuraCrds(scope, 'aura', platform.config);
    if (phase === 'core') coreObjects(scope, platform);
    if (phase === 'agents') agentsObjects(scope, platform);
  },
  workloads: [
    {
      // One controller: two would reconcile the same objects against each other.
      name: 'aura-operator', phase: 'core', workload: 'Deployment', image: 'core/aura-operator', enabled: (c) => c.aura_operator_enabled, scale: SINGLETON,
      ports: [{ name: 'metrics', port: 8080 }], resources: OPERATOR, scrape: { port: 'metrics' },
      // WATCH_NAMESPACE, comma-separated (the controller-runtime convention): the cache and every watch stay in these namespaces.
      env: (p) => ({ AGENTS_NAMESPACE: p.namespaces.agents, WATCH_NAMESPACE: operatorNamespaces(p).join(','), RECONCILE_INTERVAL: '1m', ENVIRONMENT_NAME: p.environment }),
      secrets: () => ({
        S3_ACCESS_KEY_ID: 'kv:aura-operator-s3-access-key-id',
        S3_SECRET_ACCESS_KEY: 'kv:aura-operator-s3-secret-access-key',
        STORAGE_CONNECTION_STRING: 'kv:aura-operator-storage-connection-string',
      }),
      // Its rules hold in its own namespaces only: RoleBindings there (the agents phase binds its namespace), no ClusterRoleBinding.
      accessNamespaces: operatorNamespaces,
      clusterAccess: [
        { apiGroups: [AURA_GROUP], resources: AURA_KINDS.flatMap((k) => [k.plural, `${k.plural}/status`]), verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    },
  ],
};

/** The CustomResourceDefinitions of the Aura operator. */
class AuraCrds extends Construct {
  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id);
    for (const k of AURA_KINDS) {
      // A plain object: the schema is JSON shared with the strict-schema generator (schemas/strict/aura.json).
      new ApiObject(this, k.kind, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${k.plural}.${AURA_GROUP}`, labels: standardLabels('aura-operator', config) },
        spec: {
          group: AURA_GROUP,
          scope: 'Namespaced',
          names: { kind: k.kind, plural: k.plural, singular: k.kind.toLowerCase(), listKind: `${k.kind}List` },
          versions: [
            {
              name: AURA_API_VERSION.split('/')[1]!,
              served: true,
              storage: true,
              schema: { openAPIV3Schema: auraKindSchema(k) },
              subresources: { status: {} },
              additionalPrinterColumns: [...k.columns.map((c) => ({ ...c, type: 'string' })), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
            },
          ],
        },
      } as ApiObjectProps);
    }
  }
}

/** One object of an Aura kind. */
function auraObject(scope: Construct, kind: string, name: string, namespace: string, spec: Record<string, unknown>, config: Config): ApiObject {
  return new ApiObject(scope, `${kind}-${name}`, {
    apiVersion: AURA_API_VERSION,
    kind,
    metadata: { name, namespace, labels: standardLabels(name, config, 'aura-operator') },
    spec,
  } as ApiObjectProps);
}

/** The NLP trainings of nlp_packages and the one ResolutionResources, in the core namespace. */
function coreObjects(scope: Construct, platform: Platform): void {
  const { config } = platform;
  const namespace = platform.namespaces.core;
  for (const pkg of nlpPackages(config)) auraObject(scope, 'NlpTraining', objectName(pkg.name), namespace, { version: pkg.version, ...updateField(pkg.update) }, config);
  auraObject(scope, 'ResolutionResources', RESOLUTION_RESOURCES_NAME, namespace, { version: config.resolutions.version, ...updateField(config.resolutions.update) }, config);
}

/** The agents' namespace and an Agent per context_agents entry; the operator runs them. */
function agentsObjects(scope: Construct, platform: Platform): void {
  const { config } = platform;
  const namespace = platform.namespaces.agents;
  platformNamespace(scope, namespace, config, platform.network.namespaceLabels(namespace));
  // The core namespace's operator may act here (a RoleBinding to its ClusterRole), once this namespace exists.
  namespaceAccessBinding(scope, 'aura-operator-access', { name: auraOperator.name, namespace: platform.namespaces.core }, namespace, standardLabels(auraOperator.name, config));
  const sasTemplate = PROFILE_SCHEMA.properties.context_agents.additionalProperties.properties.azure_sas_token['x-key-vault-secret'] as string;
  for (const [agent, settings] of Object.entries(config.context_agents).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const storage = settings?.azure_account
      ? {
          account: settings.azure_account,
          container: settings.azure_container,
          sasTokenSecret: keyVaultSecretName(sasTemplate, ['context_agents', agent, 'azure_sas_token'], config),
        }
      : undefined;
    auraObject(scope, 'Agent', objectName(agent), namespace, agentSpec(settings, config, storage), config);
  }
}
