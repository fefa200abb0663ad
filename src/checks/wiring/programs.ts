import { imageTag, programRecordOf, readsEnv, UNRECORDED, unreadArguments } from '../../model/programs';

/**
 * The program-record rule of the wiring check: a container running a third-party program's
 * entrypoint is given only flags and environment variables that program reads at the pinned
 * version (src/model/programs.ts). An endpoint in a variable the program ignores (ES_URI to
 * elasticsearch_exporter v1.7.0) is wired on paper only: the program uses its default.
 */

/** What the rule needs to know of one container, from the compiled objects. */
export interface ContainerInputs {
  /** `Deployment/aura-system/elasticsearch-exporter container elasticsearch-exporter` */
  at: string;
  container: any;
  /** ConfigMap data by name, in the container's namespace. */
  configMap: (name: string) => Record<string, string> | undefined;
  /** Texts of the files the container mounts from ConfigMaps. */
  files: string[];
}

const THIRD_PARTY = /\/thirdparty\/([^/:]+):/;

export function checkProgramInputs({ at, container: c, configMap, files }: ContainerInputs): string[] {
  // A container given a command runs that (a shipped script, a shell), not the image's program.
  if (c.command?.length) return [];
  const image = String(c.image ?? '');
  const record = programRecordOf(image);
  if (!record) {
    const repository = THIRD_PARTY.exec(image)?.[1];
    return repository && !(`thirdparty/${repository}` in UNRECORDED)
      ? [`${at}: image thirdparty/${repository} has no program record (src/model/programs.ts): what it reads is unknown`]
      : [];
  }
  const who = `${record.program} ${record.version}`;
  const problems: string[] = [];
  const tag = imageTag(image);
  if (tag !== record.version) problems.push(`${at}: runs ${record.image}:${tag}, but its program record was read at ${record.version}: read the flags and variables of ${tag} and update src/model/programs.ts`);
  const args: string[] = (c.args ?? []).map(String);
  for (const what of unreadArguments(record, args)) problems.push(`${at}: ${what}: ${who} does not read it (record: src/model/programs.ts)`);

  const given = new Map<string, { where: string; value?: string; fromPod: boolean }>();
  for (const from of c.envFrom ?? [])
    if (from.configMapRef) for (const [k, v] of Object.entries(configMap(from.configMapRef.name) ?? {})) given.set(k, { where: `env ${k} (ConfigMap ${from.configMapRef.name})`, value: v, fromPod: false });
  for (const e of c.env ?? []) given.set(e.name, { where: `env ${e.name}`, value: e.value, fromPod: !!e.valueFrom?.fieldRef });
  const podFields = [...given].filter(([, g]) => g.fromPod).map(([k]) => k);
  const texts = [...(c.command ?? []), ...args, ...[...given.values()].map((g) => g.value ?? '')].join('\n');
  const expands = record.expandsEnvInFilesWith && args.includes(record.expandsEnvInFilesWith);
  for (const [name, g] of given) {
    if (readsEnv(record, name)) continue;
    // The pod's own identity (downward API), and values composed from it: what the pod announces, not a setting.
    if (g.fromPod || (g.value !== undefined && podFields.some((f) => g.value!.startsWith(`$(${f})`)))) continue;
    // Kubernetes expands $(NAME) in the arguments and in later variables: the program reads the result.
    if (texts.includes(`$(${name})`)) continue;
    if (expands && files.some((f) => f.includes(`\${${name}}`))) continue;
    const reads = [...record.env, ...(record.envPrefixes ?? []).map((p) => `${p}*`)];
    problems.push(`${at}: ${g.where}: ${who} does not read it (it reads ${reads.length ? reads.join(', ') : 'no environment variable'}; record: src/model/programs.ts)`);
  }
  return problems;
}
