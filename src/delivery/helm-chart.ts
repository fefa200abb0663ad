import { createHash } from 'node:crypto';
import type { CompiledObject } from '../compile';
import { emitYaml } from '../output/emit';
import { manifestPath, MANIFESTS_FOLDER } from '../output/layout';
import type { Config } from '../profile/config.generated';
import { environmentName } from '../platform/naming';
import { PROFILE_SCHEMA } from '../profile/schema';

export const CHART_FOLDER = 'chart';
const PACKAGE_VERSION: string = require('../../package.json').version;

/** Name of a profile's chart: aura-de-pro, aura-de-pro-wsim. */
export const chartName = (c: Config) => `aura-${environmentName(c)}`;

/**
 * Makes compiled YAML safe as a Helm template: every `{{` (Alertmanager and Grafana templates
 * use them) becomes an action that prints `{{`, so Helm renders the text unchanged.
 */
export const escapeTemplate = (text: string) => text.replaceAll('{{', '{{ "{{" }}');

/**
 * The chart of one profile, as files under chart/: the compiled objects as templates (CRDs in
 * crds/, which Helm installs before any template that needs them), values.yaml with the install-
 * time knobs and their schema, and Chart.yaml whose version carries a hash of everything else,
 * so that any change of content is a new chart version.
 */
export function helmChart(config: Config, objects: readonly CompiledObject[], rendered: ReadonlyMap<string, string>): Map<string, string> {
  const { registry, tag } = config.images;
  const image = new RegExp(`^(\\s*(?:- )?image: )${escapeRegExp(registry)}/(\\S+):(\\S+)$`, 'gm');
  const files = new Map<string, string>();
  for (const o of objects) {
    const path = manifestPath(o);
    const text = rendered.get(path)!;
    if (o.manifest.kind === 'CustomResourceDefinition') {
      files.set(`crds/${path.split('/').pop()}`, text); // crds/ is not templated
      continue;
    }
    const template = escapeTemplate(text).replace(image, (_, prefix: string, repository: string, imageTag: string) =>
      `${prefix}{{ .Values.imageRegistry }}/${repository}:${imageTag === tag ? '{{ .Values.imageTag }}' : imageTag}`);
    files.set(`templates/${path.slice(MANIFESTS_FOLDER.length + 1)}`, template);
  }
  files.set('values.yaml', valuesYaml(config));
  files.set('values.schema.json', `${JSON.stringify(valuesSchema(), null, 2)}\n`);
  const hash = contentHash(files);
  files.set('Chart.yaml', emitYaml({
    apiVersion: 'v2',
    name: chartName(config),
    description: `Aura platform, profile ${environmentName(config)}: every object aura-manifests compiles for it.`,
    type: 'application',
    // Semver build metadata: the compiler version, then what this chart holds.
    version: `${PACKAGE_VERSION}+${hash}`,
    appVersion: tag,
    kubeVersion: '>=1.28.0-0',
  }));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, c]) => [`${CHART_FOLDER}/${p}`, c]));
}

function valuesYaml(config: Config): string {
  return [
    '# Install-time settings of this chart. Everything else is compiled from the profile:',
    '# change the profile and recompile rather than overriding here.',
    '',
    '# Registry of every image (Aura and third-party), e.g. a mirror registry.',
    `imageRegistry: ${config.images.registry}`,
    '# Release tag of the Aura images; third-party images keep their pinned tags.',
    `imageTag: ${JSON.stringify(config.images.tag)}`,
    '',
  ].join('\n');
}

/** The knobs' schema, with the profile schema's own patterns: helm refuses a malformed override. */
function valuesSchema() {
  const images = (PROFILE_SCHEMA.properties as any).images.properties;
  return {
    $schema: 'https://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['imageRegistry', 'imageTag'],
    properties: {
      imageRegistry: { type: 'string', pattern: images.registry.pattern, description: 'Registry of every image.' },
      imageTag: { type: 'string', pattern: images.tag.pattern, description: 'Release tag of the Aura images.' },
    },
  };
}

function contentHash(files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${path}\0${content}\0`);
  return h.digest('hex').slice(0, 12);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
