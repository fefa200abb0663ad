import { Construct } from 'constructs';
import { Elasticsearch, ElasticsearchSpecNodeSetsVolumeClaimTemplatesSpecResourcesRequests } from '../../imports/elasticsearch.k8s.elastic.co';
import { Kibana } from '../../imports/kibana.k8s.elastic.co';
import { keyVaultProvider, providerVolume, secretsSync } from './key-vault-secrets';
import { keyVaultSecretFor } from '../profile/secrets';
import {
  ELASTIC_ADMIN,
  ELASTIC_VERSION,
  ELASTICSEARCH_NAME,
  ELASTICSEARCH_NODES,
  ELASTICSEARCH_RESOURCES,
  KIBANA_NAME,
  KIBANA_RESOURCES,
  SNAPSHOT_CREDENTIALS,
} from '../components/elasticsearch';
import { phaseInfo } from '../model/phases';
import { autoCreateIndex, LOG_STREAMS } from '../platform/log-lifecycle';
import { poolSelector } from './workloads/pod-template';
import { standardLabels } from '../platform/labels';
import type { Platform } from '../platform/types';

export interface ElasticStackProps {
  platform: Platform;
}

/** The user Elastic's images run as (and own their data as). */
const ELASTIC_UID = 1000;
/**
 * Pod Security "restricted" for the pods ECK makes from these templates; ECK merges them into its
 * own defaults (which already drop every capability and forbid privilege escalation for 8.8+).
 */
const ECK_POD_SECURITY = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const ECK_CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsNonRoot: true };
/**
 * ECK builds these pods from its own defaults: from the shared pod template they take the
 * placement only, and the security settings above.
 */
const MANAGEMENT_POOL = poolSelector(phaseInfo('system').nodePool);

/**
 * Elasticsearch and Kibana through the ECK operator. Their pods carry `app: elasticsearch` and
 * `app: kibana`, the labels the guide's network policies select (ECK's own labels stay too).
 */
export class ElasticStack extends Construct {
  constructor(scope: Construct, id: string, props: ElasticStackProps) {
    super(scope, id);
    const { platform } = props;
    const { config } = platform;
    const namespace = platform.namespaces.system;

    // The Azure snapshot client's account and key reach the Elasticsearch keystore from Key Vault:
    // the driver syncs them into this Secret when the Elasticsearch pods mount the volume.
    keyVaultProvider(this, 'SnapshotCredentials', {
      name: SNAPSHOT_CREDENTIALS.name,
      namespace,
      labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION),
      config,
      objects: SNAPSHOT_CREDENTIALS.objects.map((o) => o.objectName),
      secretObjects: [{ secretName: SNAPSHOT_CREDENTIALS.name, type: 'Opaque', data: SNAPSHOT_CREDENTIALS.objects.map((o) => ({ objectName: o.objectName, key: o.key })) }],
    });

    // The elastic user from Key Vault: a basic-auth Secret of ECK's file realm, in place of the password ECK would generate.
    keyVaultProvider(this, 'AdminUser', {
      name: ELASTIC_ADMIN.secret,
      namespace,
      labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION),
      config,
      objects: [keyVaultSecretFor(ELASTIC_ADMIN.username), keyVaultSecretFor(ELASTIC_ADMIN.password)],
      secretObjects: [{
        secretName: ELASTIC_ADMIN.secret,
        type: 'kubernetes.io/basic-auth',
        data: [{ objectName: keyVaultSecretFor(ELASTIC_ADMIN.username), key: 'username' }, { objectName: keyVaultSecretFor(ELASTIC_ADMIN.password), key: 'password' }],
      }],
    });
    // ECK reads both Secrets before it creates a pod: a pod of their own keeps them synced.
    secretsSync(this, 'Sync', { name: 'elasticsearch-secrets-sync', namespace, config, providers: [ELASTIC_ADMIN.secret, SNAPSHOT_CREDENTIALS.name] });

    new Elasticsearch(this, 'Elasticsearch', {
      metadata: { name: ELASTICSEARCH_NAME, namespace, labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION) },
      spec: {
        version: ELASTIC_VERSION,
        auth: { fileRealm: [{ secretName: ELASTIC_ADMIN.secret }] },
        secureSettings: [{ secretName: SNAPSHOT_CREDENTIALS.name }],
        nodeSets: [
          {
            name: config.elasticsearch.node_set_name,
            count: ELASTICSEARCH_NODES,
            config: {
              // No privileged init container to raise vm.max_map_count.
              'node.store.allow_mmap': false,
              // No write creates an index under a stream's alias name (first-install ingest order).
              'action.auto_create_index': autoCreateIndex(Object.values(LOG_STREAMS)),
            },
            zoneAwareness: config.aks_multi_az ? {} : undefined,
            podTemplate: {
              metadata: { labels: { ...standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION), ...platform.network.podLabels('elasticsearch') } },
              spec: {
                nodeSelector: MANAGEMENT_POOL,
                // Pod Security "restricted" (aura-system's admission policy): ECK's own init containers inherit the pod's part.
                securityContext: { ...ECK_POD_SECURITY, fsGroup: ELASTIC_UID },
                containers: [
                  {
                    name: 'elasticsearch',
                    securityContext: ECK_CONTAINER_SECURITY,
                    resources: ELASTICSEARCH_RESOURCES,
                    volumeMounts: [{ name: 'snapshot-credentials', mountPath: '/mnt/secrets-store', readOnly: true }],
                  },
                ],
                volumes: [providerVolume('snapshot-credentials', SNAPSHOT_CREDENTIALS.name)],
              },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'elasticsearch-data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: ElasticsearchSpecNodeSetsVolumeClaimTemplatesSpecResourcesRequests.fromString(`${config.elasticsearch.storage_size_gb}Gi`) } },
                },
              },
            ],
          },
        ],
      },
    });

    new Kibana(this, 'Kibana', {
      metadata: { name: KIBANA_NAME, namespace, labels: standardLabels('kibana', config, 'kibana', ELASTIC_VERSION) },
      spec: {
        version: ELASTIC_VERSION,
        count: 1,
        elasticsearchRef: { name: ELASTICSEARCH_NAME },
        podTemplate: {
          metadata: { labels: { ...standardLabels('kibana', config, 'kibana', ELASTIC_VERSION), ...platform.network.podLabels('kibana') } },
          spec: {
            nodeSelector: MANAGEMENT_POOL,
            securityContext: ECK_POD_SECURITY,
            containers: [{ name: 'kibana', securityContext: ECK_CONTAINER_SECURITY, resources: KIBANA_RESOURCES }],
          },
        },
      },
    });
  }
}
