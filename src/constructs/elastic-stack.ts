import { Construct } from 'constructs';
import { Elasticsearch, ElasticsearchSpecNodeSetsVolumeClaimTemplatesSpecResourcesRequests } from '../../imports/elasticsearch.k8s.elastic.co';
import { Kibana } from '../../imports/kibana.k8s.elastic.co';
import { keyVaultProvider, providerVolume } from './key-vault-secrets';
import { standardLabels } from '../platform/labels';
import { ELASTIC_VERSION, ELASTICSEARCH_NODES, SNAPSHOT_CREDENTIALS } from '../platform/logging';
import type { Config } from '../profile/config.generated';

export interface ElasticStackProps {
  namespace: string;
  config: Config;
  /** Network access labels of a member's pods, by name (elasticsearch, kibana). */
  accessLabels: (name: string) => Record<string, string>;
}

const MANAGEMENT_POOL = { 'kubernetes.azure.com/agentpool': 'management' };

/**
 * Elasticsearch and Kibana through the ECK operator. Their pods carry `app: elasticsearch` and
 * `app: kibana`, the labels the guide's network policies select (ECK's own labels stay too).
 */
export class ElasticStack extends Construct {
  constructor(scope: Construct, id: string, props: ElasticStackProps) {
    super(scope, id);
    const { namespace, config } = props;

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

    new Elasticsearch(this, 'Elasticsearch', {
      metadata: { name: 'elasticsearch', namespace, labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION) },
      spec: {
        version: ELASTIC_VERSION,
        secureSettings: [{ secretName: SNAPSHOT_CREDENTIALS.name }],
        nodeSets: [
          {
            name: 'default',
            count: ELASTICSEARCH_NODES,
            // No privileged init container to raise vm.max_map_count.
            config: { 'node.store.allow_mmap': false },
            zoneAwareness: config.aks_multi_az ? {} : undefined,
            podTemplate: {
              metadata: { labels: { ...standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION), ...props.accessLabels('elasticsearch') } },
              spec: {
                nodeSelector: MANAGEMENT_POOL,
                containers: [
                  {
                    name: 'elasticsearch',
                    resources: { requests: { cpu: '500m', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
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
      metadata: { name: 'kibana', namespace, labels: standardLabels('kibana', config, 'kibana', ELASTIC_VERSION) },
      spec: {
        version: ELASTIC_VERSION,
        count: 1,
        elasticsearchRef: { name: 'elasticsearch' },
        podTemplate: {
          metadata: { labels: { ...standardLabels('kibana', config, 'kibana', ELASTIC_VERSION), ...props.accessLabels('kibana') } },
          spec: {
            nodeSelector: MANAGEMENT_POOL,
            containers: [{ name: 'kibana', resources: { requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }],
          },
        },
      },
    });
  }
}
