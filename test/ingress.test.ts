import { describe, expect, it } from 'vitest';
import { compileConfig } from '../src/compile';
import { verifyNetwork } from '../src/checks/network/verify';
import { configOf, find, manifests, MINIMAL } from './helpers';

const compiled = (extra = '') => compileConfig(configOf(`${MINIMAL}${extra}`)).map((o) => o.manifest) as any[];
/** MINIMAL with its backoffice_users replaced. */
const compiledWithUsers = (users: string, extra = '') => compileConfig(configOf(`${MINIMAL.replace(/^backoffice_users:.*$/m, `backoffice_users: ${users}`)}${extra}`)).map((o) => o.manifest) as any[];
const get = (objects: any[], kind: string, name: string) => objects.find((m) => m.kind === kind && m.metadata.name === name);

describe('NGINX Ingress controller', () => {
  it('runs the controller with its class, settings, custom resources and unprivileged ports', () => {
    const args = (find('es-pro', 'Deployment', 'nginx') as any).spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['-ingress-class=nginx-es-pro', '-nginx-configmaps=aura-es-pro/nginx-config', '-enable-custom-resources=true', '-nginx-plus=false', '-default-https-listener-port=8443', '-watch-namespace=aura-es-pro,aura-system']));
    expect((find('es-pro', 'Deployment', 'nginx') as any).spec.template.spec.containers[0].image).toBe('auraregistry.azurecr.io/aura/thirdparty/nginx-ingress:4.0.1');
  });

  it('Germany runs NGINX Plus with App Protect', () => {
    const c = (find('de-pro', 'Deployment', 'nginx') as any).spec.template.spec.containers[0];
    expect(c.image).toBe('auraregistry.azurecr.io/aura/thirdparty/nginx-plus-ingress-nap:4.0.1');
    expect(c.args).toEqual(expect.arrayContaining(['-nginx-plus=true', '-enable-app-protect=true', '-enable-app-protect-dos=false']));
  });

  it('takes the TLS settings from the profile', () => {
    expect((find('es-pro', 'ConfigMap', 'nginx-config') as any).data).toEqual({
      'ssl-protocols': 'TLSv1.2 TLSv1.3', 'ssl-ciphers': expect.stringContaining('EECDH+ECDSA+AESGCM'), 'ssl-prefer-server-ciphers': 'true', 'server-tokens': 'false',
    });
    const custom = get(compiled('nginx: { ssl_protocols: TLSv1.3, ssl_prefer_server_ciphers: "False" }\n'), 'ConfigMap', 'nginx-config');
    expect(custom.data).toMatchObject({ 'ssl-protocols': 'TLSv1.3', 'ssl-prefer-server-ciphers': 'false' });
  });

  it('has its IngressClass, RBAC, and a public LoadBalancer on 443 only that keeps client addresses', () => {
    expect(find('es-pro', 'IngressClass', 'nginx-es-pro')).toMatchObject({ spec: { controller: 'nginx.org/ingress-controller' } });
    expect((find('es-pro', 'ClusterRole', 'aura-es-pro-nginx') as any).rules.flatMap((r: any) => r.apiGroups)).toContain('k8s.nginx.org');
    expect((find('es-pro', 'Service', 'nginx-public') as any).spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] });
    expect((find('es-pro', 'SecretProviderClass', 'nginx-tls') as any).spec.secretObjects[0]).toMatchObject({ secretName: 'aura-tls', type: 'kubernetes.io/tls' });
  });
});

describe('VirtualServers', () => {
  it('publishes every host on TLS, the management pages through VirtualServerRoutes in aura-system', () => {
    const vs = manifests('es-pro').filter((m) => m.kind === 'VirtualServer') as any[];
    expect(vs.map((v) => v.spec.host).sort()).toEqual(
      ['alerts', 'aog', 'api', 'auth', 'aura-manager', 'bot', 'bridge', 'dashboards', 'gateway', 'groot', 'logs', 'metrics', 'raw-logs', 'web'].map((h) => `${h}-es-pro.auracognitive.com`).sort(),
    );
    expect(vs.every((v) => v.spec.tls.secret === 'aura-tls' && v.spec.ingressClassName === 'nginx-es-pro' && v.metadata.namespace === 'aura-es-pro')).toBe(true);
    const dashboards = find('es-pro', 'VirtualServer', 'dashboards') as any;
    expect(dashboards.spec.routes).toEqual([{ path: '/', route: 'aura-system/dashboards' }]);
    expect(find('es-pro', 'VirtualServerRoute', 'dashboards')).toMatchObject({ metadata: { namespace: 'aura-system' }, spec: { host: 'dashboards-es-pro.auracognitive.com', upstreams: [{ name: 'backend', service: 'grafana', port: 3000 }] } });
    expect((find('es-pro', 'VirtualServerRoute', 'logs') as any).spec.upstreams[0]).toEqual({ name: 'backend', service: 'kibana-kb-http', port: 5601, tls: { enable: true } });
  });

  it('repeats the set on -next hosts with next_domains_enabled', () => {
    const hosts = compiled('next_domains_enabled: true\n').filter((m) => m.kind === 'VirtualServer').map((m) => m.spec.host);
    expect(hosts).toContain('api-es-pro-next.auracognitive.com');
    expect(hosts).toContain('dashboards-es-pro-next.auracognitive.com');
    expect(hosts.length).toBe(2 * compiled('').filter((m) => m.kind === 'VirtualServer').length);
  });

  it('restricts management pages to service_whitelist_source_ranges; an empty list allows any source (basic authentication still applies)', () => {
    const open = compiled('');
    expect(get(open, 'VirtualServer', 'dashboards').spec.policies).toEqual([{ name: 'dashboards-auth' }]);
    const closed = compiledWithUsers('{ dashboards: [{ name: admin }], logs: [{ name: ops }] }', 'service_whitelist_source_ranges: { dashboard: [10.0.0.0/8], raw_logs: [192.168.0.0/16] }\n');
    expect(get(closed, 'Policy', 'dashboards-access').spec).toEqual({ accessControl: { allow: ['10.0.0.0/8'] } });
    expect(get(closed, 'VirtualServer', 'dashboards').spec.policies).toEqual([{ name: 'dashboards-access' }, { name: 'dashboards-auth' }]);
    expect(get(closed, 'Policy', 'raw-logs-access').spec.accessControl.allow).toEqual(['192.168.0.0/16']);
  });

  it('authenticates each management page with its backoffice_users, the htpasswd file from Key Vault', () => {
    const objects = compiledWithUsers('{ dashboards: [{ name: admin }, { name: viewer }], metrics: [{ name: ops }], alerts: [{ name: ops }], logs: [{ name: ops }], aura_manager: [{ name: pm }] }', 'generative_enabled: true\ncorporate_vpn_ranges: [195.235.92.0/23]\n');
    for (const [page, list, users] of <[string, string, string][]>[['dashboards', 'dashboards', 'admin,viewer'], ['metrics', 'metrics', 'ops'], ['alerts', 'alerts', 'ops'], ['logs', 'logs', 'ops'], ['raw-logs', 'logs', 'ops'], ['aura-manager', 'aura-manager', 'pm']]) {
      const policy = get(objects, 'Policy', `${page}-auth`);
      expect(policy.spec, page).toEqual({ basicAuth: { secret: `${list}-htpasswd`, realm: `Aura ${page} (es-pro)` } });
      expect(policy.metadata.annotations['auracognitive.com/backoffice-users'], page).toBe(users);
      expect(get(objects, 'VirtualServer', page).spec.policies, page).toContainEqual({ name: `${page}-auth` });
    }
    // The controller's Key Vault mount syncs one nginx.org/htpasswd Secret per list.
    const provider = get(objects, 'SecretProviderClass', 'nginx-tls');
    for (const list of ['alerts', 'aura-manager', 'dashboards', 'logs', 'metrics']) {
      expect(provider.spec.parameters.objects).toContain(`objectName: backoffice-${list}-htpasswd`);
      expect(provider.spec.secretObjects).toContainEqual({ secretName: `${list}-htpasswd`, type: 'nginx.org/htpasswd', data: [{ objectName: `backoffice-${list}-htpasswd`, key: 'htpasswd' }] });
    }
    // Public application hosts have no basic authentication.
    expect(get(objects, 'VirtualServer', 'api').spec.policies).toBeUndefined();
  });

  it('serves a management page with no user to the corporate VPN only, whatever its whitelist; nobody without VPN ranges', () => {
    const vpn = compiled('corporate_vpn_ranges: [195.235.92.0/23]\nservice_whitelist_source_ranges: { metrics: [10.0.0.0/8] }\n');
    expect(get(vpn, 'Policy', 'metrics-access').spec).toEqual({ accessControl: { allow: ['195.235.92.0/23'] } });
    expect(get(vpn, 'Policy', 'metrics-auth')).toBeUndefined();
    expect(get(vpn, 'VirtualServer', 'metrics').spec.policies).toEqual([{ name: 'metrics-access' }]);
    expect(get(vpn, 'SecretProviderClass', 'nginx-tls').spec.secretObjects.map((o: any) => o.secretName)).toEqual(['aura-tls', 'dashboards-htpasswd']);
    expect(get(compiled(''), 'Policy', 'alerts-access').spec).toEqual({ accessControl: { deny: ['0.0.0.0/0'] } });
  });

  it('lets only the corporate VPN and the allowed origins reach aura-gateway-api and aura-manager; nobody when both are empty', () => {
    const objects = compiled('nlpaas_enabled: true\ngenerative_enabled: true\ncorporate_vpn_ranges: [195.235.92.0/23]\naura_gateway_api_allowed_origins: [196.235.92.0/23]\n');
    expect(get(objects, 'Policy', 'gateway-access').spec.accessControl.allow).toEqual(['195.235.92.0/23', '196.235.92.0/23']);
    expect(get(objects, 'Policy', 'aura-manager-access').spec.accessControl.allow).toEqual(['195.235.92.0/23']);
    const none = compiled('nlpaas_enabled: true\n');
    expect(get(none, 'Policy', 'gateway-access').spec.accessControl).toEqual({ deny: ['0.0.0.0/0'] });
  });

  it('with NGINX Plus: the logconf profile, the WAF policy logging to the aggregator, on the public hosts', () => {
    const waf = find('de-pro', 'Policy', 'waf-policy') as any;
    expect(waf.spec.waf).toEqual({
      enable: true, apPolicy: 'aura-de-pro/dataguard-alarm',
      securityLogs: [{ enable: true, apLogConf: 'aura-de-pro/logconf', logDest: 'syslog:server=fluent-bit-aggregator.aura-system.svc.cluster.local:5140' }],
    });
    expect(find('de-pro', 'APLogConf', 'logconf')).toBeDefined();
    expect((find('de-pro', 'APPolicy', 'dataguard-alarm') as any).spec.policy.enforcementMode).toBe('transparent');
    expect((find('de-pro', 'VirtualServer', 'api') as any).spec.policies).toEqual([{ name: 'waf-policy' }]);
    // Management pages: no WAF, their basic authentication only.
    expect((find('de-pro', 'VirtualServer', 'dashboards') as any).spec.policies).toEqual([{ name: 'dashboards-auth' }]);
    expect(find('es-pro', 'Policy', 'waf-policy')).toBeUndefined();
  });

  it('with NGINX Plus DoS: the DoS policy, log profile and protected resource on the public hosts', () => {
    const objects = compiled('nginx_plus_enabled: true\nnginx_plus_dos_enabled: true\nprometheus_es_exporter_enabled: true\n');
    expect(get(objects, 'DosProtectedResource', 'dos-protected').spec).toMatchObject({ enable: true, apDosPolicy: 'dos-policy', dosSecurityLog: { enable: true, apDosLogConf: 'doslogconf' } });
    expect(get(objects, 'APDosPolicy', 'dos-policy')).toBeDefined();
    expect(get(objects, 'VirtualServer', 'api').spec.dos).toBe('dos-protected');
    expect(get(objects, 'VirtualServer', 'dashboards').spec.dos).toBeUndefined();
  });

  it('a tenant publishes its own hosts, not the management pages of its parent cluster', () => {
    const hosts = manifests('de-pro-wsim').filter((m) => m.kind === 'VirtualServer').map((m: any) => m.spec.host);
    expect(hosts).toContain('api-de-pro-wsim.auracognitive.com');
    expect(hosts.some((h) => h.startsWith('dashboards'))).toBe(false);
  });

  it('the verifier checks every backend: it exists, and the controller may reach it', () => {
    const ms = structuredClone(manifests('es-pro')) as any[];
    const metrics = ms.find((m) => m.kind === 'VirtualServerRoute' && m.metadata.name === 'metrics');
    metrics.spec.upstreams[0] = { name: 'backend', service: 'thanos-querier', port: 10902 };
    ms.find((m) => m.kind === 'VirtualServer' && m.metadata.name === 'web').spec.upstreams[0].service = 'web-sdkk';
    const problems = verifyNetwork(ms, {}).problems;
    expect(problems).toContainEqual(expect.stringMatching(/VirtualServerRoute\/aura-system\/metrics: upstream thanos-querier:10902: the ingress controller nginx may not reach aura-system\/thanos-querier:10902/));
    expect(problems).toContainEqual('VirtualServer/aura-es-pro/web: upstream web-sdkk:80: no such Service in aura-es-pro');
  });
});
