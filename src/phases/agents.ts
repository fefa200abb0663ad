import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { auraObject } from '../constructs/aura-crds';
import { networkPlan } from '../platform/network';
import { agentsNamespaceOf, objectName } from '../platform/operator';
import type { Config } from '../profile/config.generated';
import { keyVaultSecretName } from '../profile/secrets';
import { PROFILE_SCHEMA } from '../profile/schema';
import { platformNamespace } from './namespace';

/** The agents' namespace and an Agent per context_agents entry; the Aura operator runs them. */
export class AgentsPhase extends Chart {
  constructor(scope: Construct, config: Config) {
    super(scope, 'agents', { disableResourceNameHashes: true });
    if (!config.aura_operator_enabled) return;
    const namespace = agentsNamespaceOf(config);
    platformNamespace(this, namespace, config, networkPlan(config).namespaceLabels(namespace));
    const sasTemplate = PROFILE_SCHEMA.properties.context_agents.additionalProperties.properties.azure_sas_token['x-key-vault-secret'] as string;
    for (const [agent, settings] of Object.entries(config.context_agents).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const storage = settings?.azure_account
        ? {
            account: settings.azure_account,
            container: settings.azure_container,
            sasTokenSecret: keyVaultSecretName(sasTemplate, ['context_agents', agent, 'azure_sas_token'], config),
          }
        : undefined;
      auraObject(this, 'Agent', objectName(agent), namespace, { tag: config.images.tag, ...(storage ? { storage } : {}) }, config);
    }
  }
}
