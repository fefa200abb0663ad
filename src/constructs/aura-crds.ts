import { ApiObject, type ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../platform/labels';
import { AURA_API_VERSION, AURA_GROUP, AURA_KINDS, auraKindSchema } from '../components/aura-operator';
import type { Config } from '../profile/config.generated';

/** The CustomResourceDefinitions of the Aura operator. */
export class AuraCrds extends Construct {
  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id);
    for (const k of AURA_KINDS) {
      // A plain object: the schema is JSON shared with the strict-schema generator (schemas/strict/aura.json).
      new ApiObject(this, k.kind, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${k.plural}.${AURA_GROUP}`, labels: standardLabels('aura-operator', config) },
        spec: {
          group: AURA_GROUP,
          scope: 'Namespaced',
          names: { kind: k.kind, plural: k.plural, singular: k.kind.toLowerCase(), listKind: `${k.kind}List` },
          versions: [
            {
              name: AURA_API_VERSION.split('/')[1]!,
              served: true,
              storage: true,
              schema: { openAPIV3Schema: auraKindSchema(k) },
              subresources: { status: {} },
              additionalPrinterColumns: [...k.columns.map((c) => ({ ...c, type: 'string' })), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
            },
          ],
        },
      } as ApiObjectProps);
    }
  }
}

/** One object of an Aura kind. */
export function auraObject(scope: Construct, kind: string, name: string, namespace: string, spec: Record<string, unknown>, config: Config): ApiObject {
  return new ApiObject(scope, `${kind}-${name}`, {
    apiVersion: AURA_API_VERSION,
    kind,
    metadata: { name, namespace, labels: standardLabels(name, config, 'aura-operator') },
    spec,
  } as ApiObjectProps);
}
