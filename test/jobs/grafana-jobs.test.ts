import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig, type Manifest } from '../../src/compile';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { GrafanaStandIn } from './grafana-stand-in';
import { az, compiledJob, runPod, scratch, startAzurite } from './harness';

/**
 * The compiled grafana-provision, grafana-backup and grafana-restore Jobs, run as their pods
 * would, against a stand-in of Grafana's HTTP API (Grafana is not packaged here) and Azurite with
 * the Debian Azure CLI. Profile es-pro: dashboards users `admin` (Grafana's admin) and `viewer`.
 */
const objects: Manifest[] = compileConfig(validateProfile(loadProfile('es-pro', DEFAULT_PROFILES_DIR))).map((o) => o.manifest);
const provision = compiledJob(objects, 'grafana-provision');
const backup = compiledJob(objects, 'grafana-backup');
const restore = compiledJob(objects, 'grafana-restore');
const ADMIN = { user: 'admin', password: 'sentinel-admin-password' };
const VIEWER_PASSWORD = 'sentinel-viewer-password';

describe('Grafana Jobs against a stand-in of its API', () => {
  const s = scratch('aura-grafana-jobs-');
  let grafana: GrafanaStandIn;
  let hosts: (t: string) => string;
  let blob: { connectionString: string };
  const azConfig = () => s.dir('az-test');
  beforeAll(async () => {
    grafana = new GrafanaStandIn(ADMIN);
    const port = await grafana.start();
    hosts = (t) => t.replace(/grafana\.aura-system\.svc\.cluster\.local:3000/g, `127.0.0.1:${port}`);
    blob = await startAzurite(s);
    await az(blob.connectionString, azConfig(), ['storage', 'container', 'create', '-n', 'aura-backups', '-o', 'none']);
  }, 60_000);
  afterAll(() => {
    grafana.stop();
    s.stop();
  });
  const secrets = { GRAFANA_ADMIN_PASSWORD: ADMIN.password, GRAFANA_VIEWER_1_PASSWORD: VIEWER_PASSWORD, BACKUP_STORAGE_CONNECTION_STRING: '' };
  const run = (job: typeof provision, name: string, extra: Record<string, string> = {}) =>
    runPod(job, { root: s.dir(name), secrets: { ...secrets, BACKUP_STORAGE_CONNECTION_STRING: blob.connectionString, ...extra }, hosts });

  it('grafana-provision creates the viewer as a Viewer; a second run writes nothing; a changed password is set', async () => {
    expect(provision.pod.containers[0].command).toEqual(['python3', '/etc/aura-job/grafana.py', 'users']);
    const first = await run(provision, 'provision-1');
    expect(first.code, first.output).toBe(0);
    const viewer = grafana.state.users.find((u) => u.login === 'viewer')!;
    expect(viewer).toMatchObject({ role: 'Viewer', password: VIEWER_PASSWORD });

    const before = grafana.snapshot();
    const sent = grafana.requests.length;
    const second = await run(provision, 'provision-2');
    expect(second.code, second.output).toBe(0);
    expect(grafana.snapshot()).toBe(before);
    expect(grafana.requests.slice(sent).filter((r) => !['GET'].includes(r.method))).toEqual([]);

    const rotated = await run(provision, 'provision-3', { GRAFANA_VIEWER_1_PASSWORD: 'sentinel-rotated-password' });
    expect(rotated.code, rotated.output).toBe(0);
    expect(grafana.state.users.find((u) => u.login === 'viewer')!.password).toBe('sentinel-rotated-password');
    expect(rotated.output).not.toContain('sentinel-rotated-password');
  });

  it('grafana-provision fails at once when the admin password is refused', async () => {
    const refused = await run(provision, 'provision-refused', { GRAFANA_ADMIN_PASSWORD: 'sentinel-wrong' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('the credentials are refused');
    expect(refused.output).not.toContain('sentinel-wrong');
  });

  it('grafana-backup exports what users made (not what provisioning owns); grafana-restore brings it back, twice the same', async () => {
    const st = grafana.state;
    st.folders.team = { uid: 'team', title: 'Team', parentUid: null };
    st.folders.sub = { uid: 'sub', title: 'Sub', parentUid: 'team' };
    st.dashboards.mine = { dashboard: { uid: 'mine', title: 'Mine', panels: [{ id: 1 }] }, folderUid: 'sub', provisioned: false };
    st.dashboards.official = { dashboard: { uid: 'official', title: 'Aura overview' }, folderUid: '', provisioned: true };
    st.datasources.thanos = { uid: 'thanos', name: 'Thanos', type: 'prometheus', readOnly: true };
    st.datasources.extra = { uid: 'extra', name: 'Extra', type: 'loki', readOnly: false, id: 7 };
    st.alertRules.r1 = { uid: 'r1', title: 'Slow', folderUID: 'team', provenance: '' };
    st.contactPoints.c1 = { uid: 'c1', name: 'ops', type: 'email', settings: { addresses: 'ops@example.com' } };
    st.policies = { receiver: 'ops', routes: [{ receiver: 'ops', object_matchers: [['severity', '=', 'critical']] }] };
    st.preferences = { theme: 'dark', homeDashboardUID: 'mine', timezone: 'utc' };
    const saved = JSON.parse(grafana.snapshot());

    const taken = await run(backup, 'backup');
    expect(taken.code, taken.output).toBe(0);
    const names = (await az(blob.connectionString, azConfig(), ['storage', 'blob', 'list', '-c', 'aura-backups', '--prefix', 'grafana/', '--query', '[].name', '-o', 'tsv'])).split('\n').filter(Boolean);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^grafana\/grafana-\d{8}T\d{6}Z\.json\.gz$/);

    // Lost after the backup, then the backup placed for the restore.
    delete st.folders.sub;
    delete st.folders.team;
    delete st.dashboards.mine;
    delete st.datasources.extra;
    delete st.alertRules.r1;
    delete st.contactPoints.c1;
    st.policies = { receiver: 'grafana-default-email' };
    st.preferences = { theme: '', homeDashboardUID: '', timezone: '' };
    const local = `${s.dir('stage')}/g.json.gz`;
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'download', '-c', 'aura-backups', '-n', names[0]!, '-f', local, '--no-progress', '-o', 'none']);
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'upload', '-c', 'aura-backups', '-n', 'grafana/restore/g.json.gz', '-f', local, '--no-progress', '-o', 'none']);

    for (const round of [1, 2]) {
      const back = await run(restore, `restore-${round}`);
      expect(back.code, back.output).toBe(0);
      expect(st.folders).toEqual(saved.folders);
      expect(st.dashboards.mine).toMatchObject({ folderUid: 'sub', dashboard: { uid: 'mine', title: 'Mine' } });
      expect(st.dashboards.official).toEqual(saved.dashboards.official);
      expect(st.datasources.extra).toMatchObject({ uid: 'extra', name: 'Extra', type: 'loki' });
      expect(st.datasources.thanos).toEqual(saved.datasources.thanos);
      expect(st.alertRules.r1).toMatchObject({ uid: 'r1', title: 'Slow' });
      expect(st.contactPoints.c1).toEqual(saved.contactPoints.c1);
      expect(st.policies).toEqual(saved.policies);
      expect(st.preferences).toEqual(saved.preferences);
    }
  });
});
