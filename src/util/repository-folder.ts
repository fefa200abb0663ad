import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A reader of the files kept in one repository folder (Grafana dashboards, Kibana saved objects):
 * each file is read once per process, however many profiles a run compiles.
 */
export function folderReader(dir: string): (file: string) => string {
  const cache = new Map<string, string>();
  return (file) => {
    if (!cache.has(file)) cache.set(file, readFileSync(join(dir, file), 'utf8'));
    return cache.get(file)!;
  };
}
