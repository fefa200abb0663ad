import { fullFormats } from 'ajv-formats/dist/formats';

/**
 * The string and number formats of the Kubernetes and CRD schemas. One module, so that cached
 * standalone validators (src/checks/schema.ts) can require the same functions.
 */
export const K8S_FORMATS = {
  'date-time': fullFormats['date-time'],
  byte: fullFormats.byte,
  int32: { type: 'number' as const, validate: Number.isInteger },
  int64: { type: 'number' as const, validate: Number.isInteger },
  double: { type: 'number' as const, validate: () => true },
};
