import { describe, expect, it } from 'vitest';
import { populatedOut, profilesWith, SENTINEL, sentinelNowhere, snapshot, synth } from '../hostile/harness';

// Issue 26: a secret error used to hide every other problem of the profile (four rounds of errors
// for the guide's example). Now one run names them all, secrets included, and quotes none.
describe('every problem of one profile at once', () => {
  const extra = [
    `aura_encryption_key: "${SENTINEL}"`,
    `genesys: { secret: "${SENTINEL}" }`,
    `log_retention_tim: 3`,
    `backup_retention_time: "${SENTINEL}"`,
    `service_whitelist_source_ranges: { logs: [not-a-range] }`,
    `atlas_private_apikey: ${SENTINEL}`,
  ].join('\n');

  it('secret values, unknown keys, types and formats in one report, by line, none quoted', () => {
    const profiles = profilesWith(extra);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    const lines = r.err.split('\n').filter((l) => /p\.yaml:\d+:\d+:/.test(l));
    const messages = lines.map((l) => l.replace(/^.*p\.yaml:\d+:\d+: /, ''));
    expect(messages).toEqual([
      expect.stringMatching(/^aura_encryption_key: holds a secret value; .*"aura-encryption-key"/),
      expect.stringMatching(/^genesys\.secret: holds a secret value; .*"genesys-secret"/),
      expect.stringMatching(/^log_retention_tim: unknown key; did you mean log_retention_time\?/),
      expect.stringMatching(/^backup_retention_time: expected integer/),
      expect.stringMatching(/^service_whitelist_source_ranges\.logs\[0\]: expected an IPv4 network/),
      expect.stringMatching(/^atlas_private_apikey: holds a secret value; .*"atlas-private-apikey"/),
    ]);
    // In the order of the file's lines.
    const numbers = lines.map((l) => Number(/p\.yaml:(\d+):/.exec(l)![1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(sentinelNowhere(r, out)).toBe(true);
    expect(snapshot(out)).toEqual(before);
  });

  it('a document whose keys are suspect is not read further (the scan alone reports)', () => {
    const profiles = profilesWith(`__proto__: { polluted: true }\nlog_retention_tim: 3`);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/__proto__: unknown key/);
    expect(r.err).not.toMatch(/log_retention_tim/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a Jinja default pasted from config.yml says so, instead of a format error", () => {
    const r = synth('--profiles', profilesWith('atlas_project_name: "aura-project-{{ environment_name }}"'), '--profile', 'p', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/atlas_project_name: is a Jinja template, as the installer's config\.yml writes it; a profile holds the rendered value/);
    expect(r.err).not.toMatch(/RFC 1123/);
  });
});
