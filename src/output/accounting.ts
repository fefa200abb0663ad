/**
 * The output folder's own entries, accounted for: beside the profile folders and the
 * ApplicationSet, nothing belongs there. Argo CD's ApplicationSet deploys every
 * `dist/*\/gitops/argocd` (dot-folders too), and `kubectl apply -f dist/...` every file, so an
 * entry nobody compiled is not harmless clutter: `--check` fails on it, and synth names it and
 * leaves it (it is not the tool's to remove).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { interruptedLeftovers, isOurs, JOURNAL_FILE, LOCK_FILE } from './journal';
import { APPLICATIONSET_FILE } from './layout';

export interface OutputFolderProblem {
  /** The entry's name in the output folder. */
  entry: string;
  why: string;
}

/**
 * Entries of the output folder that no profile of the run accounts for. Leftovers of an
 * interrupted or running synth (journal, staging and old folders) always; with `all`
 * (the run covers every profile) also folders of removed profiles (ours, by their marker) and
 * anything else.
 */
export function outputFolderProblems(outDir: string, profiles: ReadonlySet<string>, all: boolean, profilesLabel = 'the profiles folder'): OutputFolderProblem[] {
  let entries: string[];
  try {
    if (!lstatSync(outDir).isDirectory()) return [];
    entries = readdirSync(outDir).sort();
  } catch {
    return [];
  }
  const leftovers = new Set(interruptedLeftovers(outDir));
  const problems: OutputFolderProblem[] = [];
  for (const entry of entries) {
    if (entry === APPLICATIONSET_FILE || profiles.has(entry)) continue;
    if (leftovers.has(entry))
      problems.push({ entry, why: `was left by an interrupted synth (${entry.startsWith(JOURNAL_FILE) ? 'its journal' : 'a half-swapped folder'}); run npm run synth -- --all, which finishes or rolls back the update` });
    // The lock (a run writing now, or killed) is nobody's content: no tool reads it, and --check takes no lock.
    else if (entry === LOCK_FILE || /^\.aura-lock\.[A-Za-z0-9-]+$/.test(entry)) continue;
    else if (!all) continue;
    else if (isOurs(join(outDir, entry)) && lstatSync(join(outDir, entry)).isDirectory())
      problems.push({ entry, why: `belongs to no profile in ${profilesLabel}; run: npm run synth -- --all (removes it)` });
    else problems.push({ entry, why: 'was not written by aura-manifests for any profile (the ApplicationSet deploys every dist/*/gitops/argocd); remove it' });
  }
  return problems;
}
