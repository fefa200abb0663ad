/** What the wiring check reports: the connections it found, and the table a reviewer reads. */

/** One client → server connection found in the configuration of a container. */
export interface Connection {
  /** Kind/namespace/name of the client workload. */
  client: string;
  container: string;
  /** The endpoint as the configuration writes it. */
  endpoint: string;
  /** Where the configuration gives it: env FOO, args, file x.conf. */
  where: string;
  server: string;
  serverNamespace: string;
  port: number;
  protocol: string;
  /** Where the client's credentials come from (Key Vault secret, operator-generated Secret), or none. */
  credential?: string;
  /** The NetworkPolicy that admits the flow, or `not isolated`. */
  policy?: string;
}

export interface WiringReport {
  connections: Connection[];
  errors: string[];
  /** Flows the policies allow into protected pods that no configuration uses. */
  unused: string[];
}

/** The connection table a reviewer reads. */
export function formatConnections(r: WiringReport): string {
  const rows = r.connections.map((c) => [
    `${c.client.split('/').slice(1).join('/')}${c.container === c.client.split('/').slice(-1)[0] ? '' : ` [${c.container}]`}`,
    `${c.server}.${c.serverNamespace}:${c.port}`,
    c.protocol,
    c.credential ?? '-',
    c.policy ?? '-',
  ]);
  const head = ['client', 'server:port', 'protocol', 'credential source', 'admitting policy'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
