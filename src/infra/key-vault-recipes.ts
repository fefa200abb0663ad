import { backofficePasswordSecret } from '../profile/secrets';
import type { Config } from '../profile/config.generated';
import { botChannelName, cognitiveAccounts, commonKeyVault, commonResourceGroup, commonStorageAccount } from '../platform/azure-names';
import { THANOS_CONTAINER } from '../components/thanos';
import { BACKUP_CONTAINER } from '../components/backups';
import { clusterResourceGroup, environmentName } from '../platform/naming';

/**
 * What each Key Vault object is and how to create it. The names come from the compiled output
 * (src/infra/key-vault-inventory.ts); this says, per name, what the guide calls it and a command
 * that stores it. Every command moves the value through a pipe into `az keyvault secret set
 * --file /dev/stdin`: never onto a command line, into shell history, or onto the screen. A test
 * fails when a compiled name has no entry here.
 */
export interface Recipe {
  description: string;
  create: string[];
  certificate?: boolean;
  /** No entry knows this name. */
  unknown?: boolean;
}

const set = (vault: string, name: string) => `az keyvault secret set --vault-name ${vault} --name ${name} --file /dev/stdin --output none`;
/** Typed at a prompt that does not echo; printf is a shell builtin, so the value is on no process's command line. */
export const typed = (vault: string, name: string) => `(read -rs -p '${name}: ' value && printf %s "$value") | ${set(vault, name)}`;
const generated = (vault: string, name: string, bytes: number) => `openssl rand -base64 ${bytes} | tr -d '\\n' | ${set(vault, name)}`;

const BACKOFFICE_PAGE: Record<string, string> = { dashboards: 'dashboards (Grafana)', metrics: 'metrics (Prometheus)', alerts: 'alerts (Alertmanager)', logs: 'logs and raw-logs (Kibana, Elasticsearch)', aura_manager: 'aura-manager' };

export function keyVaultRecipe(name: string, vault: string, c: Config, profileKey: string | undefined): Recipe {
  if (profileKey)
    return {
      description: `the value of ${profileKey} (config.yml's key of that name; a profile never holds it)`,
      create: [`npx aura-manifests import --config config.yml --extract '${profileKey}' | ${set(vault, name)}`, typed(vault, name)],
    };
  const account = commonStorageAccount(c);
  const group = commonResourceGroup(c);
  const connectionString = `az storage account show-connection-string --name ${account} --resource-group ${group} --query connectionString -o tsv | tr -d '\\n' | ${set(vault, name)}`;
  const accountKey = `az storage account keys list --account-name ${account} --resource-group ${group} --query '[0].value' -o tsv | tr -d '\\n'`;
  const htpasswd = /^backoffice-(.+)-htpasswd$/.exec(name);
  if (htpasswd) {
    const list = Object.keys(BACKOFFICE_PAGE).find((l) => l.replace(/_/g, '-') === htpasswd[1]) ?? htpasswd[1]!;
    const users = ((c.backoffice_users as Record<string, { name: string }[]>)[list] ?? []).map((u) => u.name);
    return {
      description: `the htpasswd file (bcrypt) of the ${BACKOFFICE_PAGE[list] ?? list} page's basic authentication, built from the passwords of backoffice_users.${list} (${users.join(', ') || 'no user: the page is served to corporate_vpn_ranges only'}); rebuild it whenever one of them changes`,
      create: [
        users.length
          ? `{ ${users.map((u) => `az keyvault secret show --vault-name ${vault} --name ${backofficePasswordSecret(list, u)} --query value -o tsv | tr -d '\\n' | htpasswd -inB ${u};`).join(' ')} } | grep . | ${set(vault, name)}`
          : `printf '' | ${set(vault, name)}   # no user yet: an empty file`,
      ],
    };
  }
  const bot = /^bot-channel(-next)?-app-(id|password)$/.exec(name);
  if (bot) {
    const channel = botChannelName(c, !!bot[1]);
    const profileId = bot[1] ? c.bot_channel?.next_app_id : c.bot_channel?.app_id;
    return bot[2] === 'id'
      ? { description: `the app id of the Entra app registration of the Bot Channel ${channel}, which aura-groot and authentication-api present to the Bot Framework; npm run infra -- --dns --apply finds the app by name (or creates it, as the installer's deploy_core does) and stores it`, create: [`npm run infra -- --profile <profile> --dns --apply   # finds or creates ${channel} and stores its id`, `az ad app list --display-name ${channel} --query '[0].appId' -o tsv | tr -d '\\n' | ${set(vault, name)}`] }
      : {
          description: `a credential of the app registration of the Bot Channel ${channel}${profileId ? ` (bot_channel ${bot[1] ? 'next_app_id' : 'app_id'} ${profileId})` : ''}: npm run infra -- --dns --apply adds one (beside any the app has) and stores it when this secret does not exist`,
          create: [`az ad app credential reset --id ${profileId ?? `"$(az ad app list --display-name ${channel} --query '[0].appId' -o tsv)"`} --append --display-name aura-manifests --years 2 --query password -o tsv | tr -d '\\n' | ${set(vault, name)}`],
        };
  }
  switch (name) {
    case 'alertmanager-smtp-password':
      return { description: `the password of ${c.smtp_relay.auth_username ?? 'the SMTP user'} on the Aura Platform team's SMTP relay ${c.smtp_relay.smarthost} (the guide: notifications are sent through an external global SMTP server administered by the Aura Platform team)`, create: [typed(vault, name)] };
    case 'backup-storage-connection-string':
      return { description: `the connection string of the common storage account ${account}, whose ${BACKUP_CONTAINER} container holds the nightly backups (the guide: aura-backups/mongodb, aura-backups/redis)`, create: [connectionString] };
    case 'aura-operator-storage-connection-string':
      return { description: `the connection string of the storage account ${account} the Aura operator publishes NLP trainings and resolution resources to (the guide: it publishes them to an Azure blob storage)`, create: [connectionString] };
    case 'aura-operator-s3-access-key-id':
    case 'aura-operator-s3-secret-access-key':
      return { description: `the ${name.endsWith('id') ? 'access key id' : 'secret access key'} of the Aura team's AWS credentials the operator downloads NLP trainings and resolution resources with (the guide: originally stored in an Amazon S3 bucket by the Aura team); ask the Aura team`, create: [typed(vault, name)] };
    case 'aura-tls-certificate':
      return {
        description: `the TLS certificate of the public hosts (*.${c.dns_domain}) with its private key, a Key Vault certificate; the driver syncs it as the kubernetes.io/tls Secret aura-tls`,
        certificate: true,
        create: [`az keyvault certificate import --vault-name ${vault} --name ${name} --file certificate.pem   # PEM: the private key, the certificate and its chain, unencrypted; delete the file afterwards`],
      };
    case 'openai-api-key':
    case 'clu-api-key': {
      const account = cognitiveAccounts(c).find((a) => a.keySecret === name);
      const what = name === 'openai-api-key' ? 'Azure OpenAI' : 'CLU (Azure AI Language)';
      return {
        description: `the key of the ${what} account ${account?.name ?? name}, which nlp reads; npm run infra -- --profile <profile> --apply creates the account and stores its key (infra/modules/cognitive-key-secret.bicep: from the account to the vault, never through a command line)`,
        create: [
          `npm run infra -- --profile <profile> --apply   # creates ${account?.name ?? 'the account'} and stores its key`,
          `az cognitiveservices account keys list --name ${account?.name ?? '<account>'} --resource-group ${clusterResourceGroup(c)} --query key1 -o tsv | tr -d '\\n' | ${set(vault, name)}`,
        ],
      };
    }
    case 'eck-snapshot-storage-account':
      return { description: `the name of the storage account ${account} whose container holds the Elasticsearch snapshot repository (the guide: a snapshot of the indices kept a year in a blob of the associated storage account)`, create: [`printf %s ${account} | ${set(vault, name)}`] };
    case 'eck-snapshot-storage-key':
      return { description: `an access key of the storage account ${account}, for Elasticsearch's Azure snapshot client`, create: [`${accountKey} | ${set(vault, name)}`] };
    case 'elastic-admin-username':
      return { description: "the user name of the guide's Elasticsearch and Kibana admin user, elastic (ECK's file realm reads user and password as one Secret)", create: [`printf %s elastic | ${set(vault, name)}`] };
    case 'mongodb-adminuser-password':
      return {
        description: `the password of the MongoDB admin user adminuser (the guide reads it from the Secret mongodb-adminuser-password in aura-system)${c.atlas_enabled ? ', the Atlas database user the operator manages' : ', the in-cluster replica set\'s root password'}. Taking over a running environment, keep the running one`,
        create: [`kubectl get -n aura-system secret mongodb-adminuser-password -o jsonpath='{.data.password}' | base64 -d | ${set(vault, name)}   # taking over: the running password`, `${generated(vault, name, 24)}   # a new environment`],
      };
    case 'mongodb-replica-set-key':
      return { description: 'the keyfile the in-cluster replica set members authenticate each other with; taking over, the running members\' keyfile', create: [generated(vault, name, 756)] };
    case 'mongodb-services-password':
      return { description: `the password of the core services' Atlas database user aura-${environmentName(c)} (readWriteAnyDatabase), which the operator creates from it`, create: [generated(vault, name, 24)] };
    case 'thanos-objstore-config':
      return {
        description: `Thanos' object store configuration: the ${THANOS_CONTAINER} container of the storage account ${account} (the guide: thanos-sidecar uploads blocks to an object storage API like Azure Blob Storage)`,
        create: [`{ printf 'type: AZURE\\nconfig:\\n  storage_account: ${account}\\n  storage_account_key: '; ${accountKey}; printf '\\n  container: ${THANOS_CONTAINER}\\n'; } | ${set(vault, name)}`],
      };
    case 'atlas-cmk-client-secret':
      return { description: `a client secret of the Entra application ${c.atlas_encryption_at_rest?.client_id ?? '(atlas_encryption_at_rest.client_id)'} Atlas encrypts with (enable_customer_key_atlas_encryption)`, create: [`az ad app credential reset --id ${c.atlas_encryption_at_rest?.client_id ?? '<client id>'} --append --display-name atlas-encryption --query password -o tsv | tr -d '\\n' | ${set(vault, name)}`] };
    case 'atlas-cmk-subscription-id':
      return { description: 'the Azure subscription of the customer-managed key vault Atlas encrypts with', create: [`az account show --query id -o tsv | tr -d '\\n' | ${set(vault, name)}`] };
    case 'atlas-cmk-key-vault-name':
      return { description: `the name of the customer-managed key vault of the common deployment, ${commonKeyVault(c)} (the guide: an Azure Key Vault created during the common deployment step)`, create: [`printf %s ${commonKeyVault(c)} | ${set(vault, name)}`] };
    case 'atlas-cmk-key-identifier':
      return { description: `the identifier of the key in ${commonKeyVault(c)} Atlas encrypts its data at rest with`, create: [`az keyvault key show --vault-name ${commonKeyVault(c)} --name <key> --query key.kid -o tsv | tr -d '\\n' | ${set(vault, name)}`] };
  }
  return { description: 'not described yet: tell the aura-manifests team which workload reads it', create: [typed(vault, name)], unknown: true };
}
