/** Transport endpoints (tcp, unix) and the node-wide registry that keeps two transports off one endpoint. */
import type { EndpointConfig } from '../types.js';
import { integer, nonEmptyString, oneOf } from './checks.js';
import { isRec, REQUIRED, type Ctx } from './context.js';

/** Longest unix socket path the OS accepts (sun_path minus the terminating NUL). */
const MAX_UNIX_PATH = process.platform === 'linux' ? 107 : 103;

const WILDCARD_INTERFACES = new Set(['0.0.0.0', '::']);

/** Listening endpoints of all router transports of the node: two transports may not share one. */
export class Endpoints {
  private readonly tcp: { iface: string; port: number; owner: string }[] = [];
  private readonly unix = new Map<string, string>();

  /** Registers a tcp listener; returns the one it clashes with (wildcard interfaces clash with all). */
  claimTcp(iface: string, port: number, owner: string): { iface: string; owner: string } | undefined {
    const clash = this.tcp.find(
      (e) => e.port === port && (e.iface === iface || WILDCARD_INTERFACES.has(e.iface) || WILDCARD_INTERFACES.has(iface)),
    );
    if (clash === undefined) this.tcp.push({ iface, port, owner });
    return clash;
  }

  /** Registers a unix socket path; returns the owner it clashes with. */
  claimUnix(path: string, owner: string): string | undefined {
    const other = this.unix.get(path);
    if (other === undefined) this.unix.set(path, owner);
    return other;
  }
}

export function checkEndpoint(c: Ctx, v: unknown, path: string, endpoints: Endpoints, transportPath: string): EndpointConfig | undefined {
  if (v === undefined) return undefined; // reported as missing
  if (!isRec(v)) {
    c.mismatch(path, 'an endpoint object {type: "tcp" | "unix", ...}', v);
    return undefined;
  }
  const type = c.field(v, 'type', path, oneOf(['tcp', 'unix'] as const), REQUIRED);
  if (type === 'tcp') {
    c.object(v, path, ['type', 'port', 'interface', 'backlog']);
    const port = c.field(v, 'port', path, integer(0, 65535), REQUIRED);
    const iface = c.field(v, 'interface', path, nonEmptyString, '127.0.0.1');
    const backlog = c.field(v, 'backlog', path, integer(1), undefined);
    if (port === undefined || iface === undefined || (v['backlog'] !== undefined && backlog === undefined)) return undefined;
    if (port !== 0) {
      const other = endpoints.claimTcp(iface, port, transportPath);
      if (other !== undefined) c.fail(`${path}.port`, `tcp endpoint ${iface}:${port} clashes with ${other.iface}:${port} of ${other.owner}`);
    }
    return { type: 'tcp', port, interface: iface, ...(backlog === undefined ? {} : { backlog }) };
  }
  if (type === 'unix') {
    c.object(v, path, ['type', 'path']);
    const raw = c.field(v, 'path', path, nonEmptyString, REQUIRED);
    if (raw === undefined) return undefined;
    const abs = c.resolvePath(raw);
    if (Buffer.byteLength(abs) > MAX_UNIX_PATH) {
      c.fail(`${path}.path`, `expected a unix socket path of at most ${MAX_UNIX_PATH} bytes once resolved against cbdir, got ${JSON.stringify(abs)} (${Buffer.byteLength(abs)} bytes)`);
      return undefined;
    }
    const other = endpoints.claimUnix(abs, transportPath);
    if (other !== undefined) {
      c.fail(`${path}.path`, `unix socket ${JSON.stringify(abs)} is already used by ${other}`);
      return undefined;
    }
    return { type: 'unix', path: abs };
  }
  return undefined;
}
