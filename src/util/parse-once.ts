import { parse } from 'yaml';
import { deepFreeze } from './deep-freeze';

/** The texts parsed last, newest last: a profile's checks read the same file one after another. */
const recent = new Map<string, unknown>();
const KEPT = 16;

/**
 * YAML that the compiler emitted (the Prometheus configuration, read back by the invariants, the
 * wiring and the discovery check), parsed once for all the checks that read it. The value is
 * deep-frozen: one check cannot change what another reads. A text that does not parse throws,
 * every time.
 */
export function parseEmittedYaml(text: string): unknown {
  if (recent.has(text)) return recent.get(text);
  const value = deepFreeze(parse(text));
  recent.set(text, value);
  if (recent.size > KEPT) recent.delete(recent.keys().next().value!);
  return value;
}
