import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fake az, atlas and kubectl first on PATH. Each logs "<tool> <args>" to one file, keeps the
 * state a real one would report (AKS power state, Atlas paused, resource groups) in files, and
 * fails on request. What they print is what the real tools print for these commands.
 */
export interface FakeState {
  aks?: 'Running' | 'Stopped' | 'Stopping';
  atlasPaused?: boolean;
  /** Bot Channels that exist (all when absent). */
  bots?: string[];
  /** Resource groups that exist. */
  groups?: string[];
  /** Atlas projects visible to the keys. */
  projects?: { id: string; name: string }[];
  notLoggedIn?: boolean;
  failDeploy?: boolean;
  kubectlForbidden?: boolean;
  /** Key Vault secret names that exist (az keyvault secret list); secrets set through the fake are added. */
  vault?: string[];
  /** Key Vault certificate names that exist. */
  vaultCertificates?: string[];
  /** az keyvault secret list is refused. */
  vaultUnreachable?: boolean;
  /** DNS record names that exist in the zone (az network dns record-set a list). */
  records?: string[];
  /** App registrations that exist, by display name (az ad app list). */
  apps?: Record<string, string>;
  /** What az ad app credential reset answers (a sentinel: it must reach Key Vault only). */
  appPassword?: string;
  /** Tools left out of PATH. */
  missing?: ('az' | 'atlas' | 'kubectl')[];
}

export function fakeTools(state: FakeState = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-tools-'));
  const log = join(dir, 'calls.log');
  const file = (name: string, value: string) => writeFileSync(join(dir, name), value);
  file('aks', state.aks ?? 'Running');
  file('paused', String(state.atlasPaused ?? false));
  file('groups', `${(state.groups ?? []).join('\n')}\n`);
  file('vault-names', (state.vault ?? []).map((n) => `${n}\n`).join(''));
  file('records', (state.records ?? []).map((n) => `${n}\n`).join(''));
  file('federated', '');
  file('principals', '');
  file('apps', Object.entries(state.apps ?? {}).map(([n, id]) => `${n} ${id}\n`).join(''));
  file('vault-certificates', (state.vaultCertificates ?? []).map((n) => `${n}\n`).join(''));
  const projects = JSON.stringify({ results: state.projects ?? [{ id: '64b0c0ffee', name: 'aura-project-de-pro' }], totalCount: 1 });
  const scripts: Record<string, string> = {
    az: `
case "$1 $2" in
  "version --output") exit 0;;
  "account show") ${state.notLoggedIn ? `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1` : `echo '{"id": "00000000-0000-0000-0000-00000000aaaa", "tenantId": "00000000-0000-0000-0000-00000000bbbb"}'`};;
  "ad sp")
    case "$3" in
      list) id=$(grep -F "$5" "${dir}/principals" 2>/dev/null | cut -d' ' -f2); [ -n "$id" ] && printf '["%s"]\\n' "$id" || echo "[]";;
      create) echo "appId eq '$5' 22222222-0000-4000-8000-000000000001" >> "${dir}/principals"; echo "22222222-0000-4000-8000-000000000001";;
    esac;;
  "aks show") cat "${dir}/aks"; echo;;
  "aks stop") echo Stopped > "${dir}/aks";;
  "aks start") echo Running > "${dir}/aks";;
  "bot show") ${state.bots ? `case " ${state.bots.join(' ')} " in *" $6 "*) exit 0;; *) echo "ERROR: (ResourceNotFound) bot $6 was not found" >&2; exit 3;; esac` : 'exit 0'};;
  "keyvault secret")
    case "$3" in
      set) name=""; file=""; prev=""; for a in "$@"; do [ "$prev" = "--name" ] && name="$a"; [ "$prev" = "--file" ] && file="$a"; prev="$a"; done
           mkdir -p "${dir}/vault"; cat "$file" > "${dir}/vault/$name"; echo "$name" >> "${dir}/vault-names";;
      list) ${state.vaultUnreachable ? `echo "ERROR: (Forbidden) The user does not have secrets list permission on key vault" >&2; exit 1` : `printf '['; sep=""; for n in $(cat "${dir}/vault-names" 2>/dev/null | sort -u); do printf '%s"%s"' "$sep" "$n"; sep=","; done; printf ']\n'`};;
      *) echo "not-a-real-key-$6";;
    esac;;
  "keyvault certificate")
    case "$3" in
      list) printf '['; sep=""; for n in $(cat "${dir}/vault-certificates" 2>/dev/null | sort -u); do printf '%s"%s"' "$sep" "$n"; sep=","; done; printf ']\n';;
    esac;;
  "network dns")
    case "$3 $4 $5" in
      "record-set a list") printf '['; sep=""; for n in $(cat "${dir}/records" 2>/dev/null); do printf '%s"%s"' "$sep" "$n"; sep=","; done; printf ']\n';;
    esac;;
  "ad app")
    case "$3" in
      list) name=""; prev=""; for a in "$@"; do [ "$prev" = "--display-name" ] && name="$a"; prev="$a"; done
            id=$(grep "^$name " "${dir}/apps" 2>/dev/null | cut -d' ' -f2); [ -n "$id" ] && printf '["%s"]\\n' "$id" || echo "[]";;
      create) name=""; prev=""; for a in "$@"; do [ "$prev" = "--display-name" ] && name="$a"; prev="$a"; done
              id="$(printf '%08d' $(wc -l < "${dir}/apps" 2>/dev/null || echo 0))-1111-4111-8111-111111111111"; echo "$name $id" >> "${dir}/apps"; echo "$id";;
      credential) echo "${state.appPassword ?? 'not-a-real-app-password'}";;
      federated-credential)
        case "$4" in
          list) printf '['; sep=""; while read -r n; do printf '%s"%s"' "$sep" "$n"; sep=","; done < "${dir}/federated" 2>/dev/null; printf ']\\n';;
          create) printf '%s\\n' "$8" | sed -e 's/.*"name":"\\([^"]*\\)".*/\\1/' >> "${dir}/federated";;
        esac;;
    esac;;
  "group exists") grep -qx "$4" "${dir}/groups" && echo true || echo false;;
  "group delete") grep -vx "$4" "${dir}/groups" > "${dir}/groups.new"; mv "${dir}/groups.new" "${dir}/groups";;
  "deployment sub"|"deployment group") ${state.failDeploy ? `echo "ERROR: InvalidTemplateDeployment: quota exceeded" >&2; exit 1` : `echo "deployment ok"`};;
esac
exit 0`,
    atlas: `
[ "$1" = "--version" ] && { echo "atlascli version: 1.30.0"; exit 0; }
if [ -z "$MONGODB_ATLAS_PUBLIC_API_KEY" ] || [ -z "$MONGODB_ATLAS_PRIVATE_API_KEY" ]; then echo "Error: this action requires authentication" >&2; exit 1; fi
case "$1 $2" in
  "projects list") echo '${projects}';;
  "clusters describe") echo "{\\"name\\": \\"$3\\", \\"paused\\": $(cat "${dir}/paused"), \\"stateName\\": \\"IDLE\\"}";;
  "clusters pause") echo true > "${dir}/paused"; echo '{}';;
  "clusters start") echo false > "${dir}/paused"; echo '{}';;
  "clusters delete") echo "Deleting cluster '$3'";;
esac
exit 0`,
    kubectl: `
case "$1" in
  version) echo '{"clientVersion": {"gitVersion": "v1.31.0"}}';;
  auth) ${state.kubectlForbidden ? `echo 'error: You must be logged in to the server (Unauthorized)' >&2; exit 1` : 'echo yes'};;
  delete) echo "deleted";;
esac
exit 0`,
  };
  for (const [tool, body] of Object.entries(scripts)) {
    if (state.missing?.includes(tool as 'az')) continue;
    file(tool, `#!/bin/bash\nexport PATH=/usr/bin:/bin\necho "${tool} $*" >> "${log}"${body}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8').trim();
  return { env: { PATH: dir, HOME: dir } as NodeJS.ProcessEnv, calls, read, dir };
}
