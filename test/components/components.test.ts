import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/components/catalog';
import { resolvePlatform } from '../../src/platform/resolve';
import { componentObjects, configOf, MINIMAL } from '../helpers';

// Every flag that switches a component on, so that each component's workloads are built.
const EVERYTHING = `${MINIMAL}atlas_enabled: false
active_listening_enabled: true
fourth_platform: { conversations: { platform: azure, bucket: aura-conversations } }
aura_operator_enabled: true
openai_enabled: true
prometheus_es_exporter_enabled: true
atria_rag_enabled: true
nlpaas_enabled: true
whatsapp_enabled: true
notifications_webhooks: [{ name: teams, url: "https://contoso.webhook.office.com/webhookb2/abc", severity: warning }]
log_migration: { source_cluster: auraclusterold }
local_modules: { modules: [{ name: care-flows, version: 1.0.0 }], configuration_api_url: "https://configuration.example.com", cases: [{ id: a }] }
`;

describe.each(CATALOG.filter((k) => k.workloads.length).map((k) => [k.name, k] as const))('component %s', (name, component) => {
  const config = configOf(EVERYTHING);
  const platform = resolvePlatform(config, CATALOG);
  const objects = componentObjects(config, name) as any[];
  const of = (kind: string, n: string) => objects.find((m) => m.kind === kind && m.metadata.name === n);

  it('builds every workload in its namespace, with its Service publishing the declared ports by name', () => {
    for (const w of component.workloads) {
      const workload = of(w.workload, w.name);
      expect(workload, w.name).toBeDefined();
      expect(workload.metadata.namespace).toBe(platform.namespaceOf(w));
      const declared = [...w.ports, ...(w.profilePorts?.(config) ?? []), ...(w.sidecars ?? []).flatMap((s) => s.ports)];
      if (declared.length) expect(of('Service', w.name).spec.ports.map((p: any) => p.name)).toEqual(declared.map((p) => p.name));
      else expect(of('Service', w.name)).toBeUndefined();
    }
  });

  it('carries the access labels of the targets it talks to, and scrape ports that exist', () => {
    for (const w of component.workloads) {
      const template = w.workload === 'CronJob' ? of(w.workload, w.name).spec.jobTemplate.spec.template : of(w.workload, w.name).spec.template;
      expect(template.metadata.labels).toMatchObject(platform.network.podLabels(w.name));
      if (w.scrape) expect(of('Service', w.name).spec.ports.map((p: any) => p.name)).toContain(w.scrape.port);
    }
  });

  it('resolves its policies to ports its pods declare', () => {
    for (const p of component.policies ?? []) {
      const resolved = platform.network.policies.find((x) => x.target === p.target);
      expect(resolved, p.target).toBeDefined();
      expect(resolved!.ports.length).toBe((typeof p.ports === 'function' ? p.ports(config) : p.ports).length);
    }
  });
});

describe('Prometheus scrape jobs', () => {
  it('are the enabled workloads that declare scrape, in catalog order', () => {
    const config = configOf(EVERYTHING);
    const platform = resolvePlatform(config, CATALOG);
    const files = componentObjects(config, 'prometheus').find((m) => m.metadata.name === 'prometheus-files') as any;
    const jobs = parse(files.data['prometheus.yml']).scrape_configs.map((j: any) => j.job_name);
    const declared = [...platform.workloads('system'), ...platform.workloads('core')].filter((w) => w.scrape).map((w) => w.name);
    // Then the jobs components declare (probes, sidecars, integrations), then every node's kubelet and cAdvisor.
    const extra = platform.components.flatMap((c) => c.scrapeJobs?.(platform) ?? []).map((j) => String(j.job_name));
    expect(jobs).toEqual([...declared, ...extra, 'kubelet', 'cadvisor']);
  });
});
