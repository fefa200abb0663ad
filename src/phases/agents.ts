import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { auraObject } from '../constructs/aura-crds';
import { namespaceAccessBinding } from '../constructs/aura-workload';
import { agentSpec, auraOperator } from '../components/aura-operator';
import { standardLabels } from '../platform/labels';
import { objectName } from '../platform/naming';
import type { Platform } from '../platform/types';
import { keyVaultSecretName } from '../profile/secrets';
import { PROFILE_SCHEMA } from '../profile/schema';
import { platformNamespace } from './namespace';

/** The agents' namespace and an Agent per context_agents entry; the Aura operator runs them. */
export class AgentsPhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'agents', { disableResourceNameHashes: true });
    if (!platform.enabled('aura-operator')) return;
    const { config } = platform;
    const namespace = platform.namespaces.agents;
    platformNamespace(this, namespace, config, platform.network.namespaceLabels(namespace));
    // The core namespace's operator may act here (a RoleBinding to its ClusterRole), once this namespace exists.
    namespaceAccessBinding(this, 'aura-operator-access', { name: auraOperator.name, namespace: platform.namespaces.core }, namespace, standardLabels(auraOperator.name, config));
    const sasTemplate = PROFILE_SCHEMA.properties.context_agents.additionalProperties.properties.azure_sas_token['x-key-vault-secret'] as string;
    for (const [agent, settings] of Object.entries(config.context_agents).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const storage = settings?.azure_account
        ? {
            account: settings.azure_account,
            container: settings.azure_container,
            sasTokenSecret: keyVaultSecretName(sasTemplate, ['context_agents', agent, 'azure_sas_token'], config),
          }
        : undefined;
      auraObject(this, 'Agent', objectName(agent), namespace, agentSpec(settings, config, storage), config);
    }
  }
}
