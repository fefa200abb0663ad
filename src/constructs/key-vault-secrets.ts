import { Construct } from 'constructs';
import { selectorLabels, standardLabels } from '../platform/labels';
import { imageOf } from '../platform/naming';
import { phaseInfo } from '../model/phases';
import { podTemplate } from './workloads/pod-template';
import { AuraDeployment } from './workloads/workloads';
import { SecretProviderClass } from '../../imports/secrets-store.csi.x-k8s.io';
import type { Config } from '../profile/config.generated';
import { keyVaultSecretFor } from '../profile/secrets';

export const SECRETS_MOUNT_PATH = '/mnt/secrets-store';
export const CSI_DRIVER = 'secrets-store.csi.k8s.io';

export interface KeyVaultProviderProps {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  config: Config;
  /** Key Vault secrets to fetch. */
  objects: string[];
  /** Kubernetes Secrets the driver syncs from them while a pod mounts the class. */
  secretObjects: { secretName: string; type: string; labels?: Record<string, string>; data: { objectName: string; key: string }[] }[];
}

/** Every SecretProviderClass of the platform: the profile's Key Vault, read with the AKS secrets provider identity. */
export function keyVaultProvider(scope: Construct, id: string, props: KeyVaultProviderProps): SecretProviderClass {
  const kv = props.config.key_vault;
  const objects = [...new Set(props.objects)].sort();
  return new SecretProviderClass(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      provider: 'azure',
      parameters: {
        usePodIdentity: 'false',
        useVMManagedIdentity: 'true',
        userAssignedIdentityID: kv.identity_client_id,
        keyvaultName: kv.name,
        tenantId: kv.tenant_id,
        objects: `array:\n${objects.map((o) => `  - |\n    objectName: ${o}\n    objectType: secret\n`).join('')}`,
      },
      secretObjects: props.secretObjects,
    },
  });
}

/** A CSI volume that mounts a SecretProviderClass (and so makes the driver sync its Secrets). */
export const providerVolume = (name: string, provider: string) => ({ name, csi: { driver: CSI_DRIVER, readOnly: true, volumeAttributes: { secretProviderClass: provider } } });

export interface KeyVaultSecretsProps {
  /** Name of the SecretProviderClass, and of the Kubernetes Secret the driver syncs at mount time. */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Environment variable to profile key, e.g. { GENESYS_SECRET: 'genesys.secret' }. */
  secrets: Record<string, string>;
  /** Profile keys (or `kv:` names) mounted as files only, with no environment variable. @default none */
  files?: string[];
  config: Config;
}

/**
 * Secrets by reference: a SecretProviderClass for the AKS Key Vault secrets provider. Values
 * never pass through this compiler; the driver fetches them when a pod mounts the volume and
 * syncs them into a Secret that exists only in the cluster.
 */
export class KeyVaultSecrets extends Construct {
  readonly name: string;
  private readonly objectKeys: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: KeyVaultSecretsProps) {
    super(scope, id);
    this.name = props.name;
    const objects = [...new Set([...Object.values(props.secrets), ...(props.files ?? [])].map(keyVaultSecretFor))].sort();
    for (const [env, key] of Object.entries(props.secrets)) this.objectKeys[env] = keyVaultSecretFor(key);
    keyVaultProvider(this, 'Resource', {
      ...props,
      objects,
      secretObjects: [{ secretName: props.name, type: 'Opaque', data: objects.map((o) => ({ objectName: o, key: o })) }],
    });
  }

  /** Container environment entries that read each secret from the synced Secret. */
  env(): { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[] {
    return Object.entries(this.objectKeys)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: this.name, key } } }));
  }

  volume() {
    return providerVolume('key-vault', this.name);
  }

  volumeMount() {
    return { name: 'key-vault', mountPath: SECRETS_MOUNT_PATH, readOnly: true };
  }
}

/**
 * A pause pod that mounts SecretProviderClasses: the driver syncs a class's Secrets only while a
 * pod mounts it, and an operator (Atlas, ECK) needs them before anything of its own runs.
 */
export function secretsSync(scope: Construct, id: string, props: { name: string; namespace: string; config: Config; providers: string[]; pool?: string }): void {
  const { name, namespace, config: c, providers, pool = phaseInfo('system').nodePool } = props;
  const labels = standardLabels(name, c);
  new AuraDeployment(scope, id, {
    component: name,
    metadata: { name, namespace, labels },
    selector: selectorLabels(name),
    replicas: 1,
    template: podTemplate({
      component: name,
      labels,
      placement: { pool },
      // The pause image's own non-root user; it writes nothing.
      runAs: 65535,
      scratch: false,
      mounts: providers.map((p) => ({ name: p, mountPath: `/mnt/${p}`, readOnly: true, volume: { csi: providerVolume(p, p).csi } })),
      containers: [{ name: 'pause', image: imageOf(c, 'thirdparty/pause', '3.9'), resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '20m', memory: '16Mi' } } }],
    }),
  });
}
