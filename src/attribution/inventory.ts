// The asset map (--inventory): which host, sandbox and agent session an address belongs to.
// Container bridge addresses repeat on every host, so an address is looked up within the host
// that logged the record first, and only across hosts when it is unique there.
import { readFile } from 'node:fs/promises';
import { parseString } from 'fast-csv';
import { InputError } from '../model/errors.js';

export interface Asset {
  host: string;
  ip: string;
  sandbox?: string;
  session?: string;
}

export class Inventory {
  private byHostIp = new Map<string, Asset>();
  private byIp = new Map<string, Asset[]>();
  private bySession = new Map<string, Asset>();
  private bySandbox = new Map<string, Asset>();
  private hosts = new Set<string>();

  constructor(readonly assets: Asset[] = []) {
    for (const a of assets) {
      this.byHostIp.set(`${a.host}\0${a.ip}`, a);
      this.hosts.add(a.host);
      const list = this.byIp.get(a.ip) ?? [];
      list.push(a);
      this.byIp.set(a.ip, list);
      if (a.session && !this.bySession.has(a.session)) this.bySession.set(a.session, a);
      if (a.sandbox && !this.bySandbox.has(a.sandbox)) this.bySandbox.set(a.sandbox, a);
    }
  }

  get size(): number {
    return this.assets.length;
  }

  /** The asset an address is, seen from `host` (the logging host) when known. */
  resolve(ip: string | undefined, host?: string): Asset | undefined {
    if (!ip) return undefined;
    if (host) {
      const exact = this.byHostIp.get(`${host}\0${ip}`);
      if (exact) return exact;
    }
    const all = this.byIp.get(ip);
    if (!all) return undefined;
    if (all.length === 1) return all[0];
    // Several rows share the address: only usable when they agree on everything but the row.
    const first = all[0]!;
    return all.every((a) => a.host === first.host && a.sandbox === first.sandbox && a.session === first.session) ? first : undefined;
  }

  hasHost(host: string): boolean {
    return this.hosts.has(host);
  }

  forSession(session: string | undefined): Asset | undefined {
    return session ? this.bySession.get(session) : undefined;
  }

  forSandbox(sandbox: string | undefined): Asset | undefined {
    return sandbox ? this.bySandbox.get(sandbox) : undefined;
  }
}

export async function loadInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('cannot read the inventory file', path);
  }
  const rows = await new Promise<Record<string, string>[]>((resolve, reject) => {
    const out: Record<string, string>[] = [];
    parseString(text, { headers: (h) => h.map((x) => x?.trim().toLowerCase()), ignoreEmpty: true, trim: true })
      .on('error', reject)
      .on('data', (row: Record<string, string>) => out.push(row))
      .on('end', () => resolve(out));
  }).catch((err: Error) => {
    throw new InputError(`inventory is not valid CSV: ${err.message}`, path);
  });
  const assets: Asset[] = [];
  rows.forEach((row, i) => {
    if (!('host' in row) || !('ip' in row)) throw new InputError("inventory needs the columns 'host' and 'ip'", path, 1);
    if (!row.host || !row.ip) throw new InputError("inventory row has an empty 'host' or 'ip'", path, i + 2);
    assets.push({ host: row.host, ip: row.ip, sandbox: row.sandbox || undefined, session: row.session || undefined });
  });
  return new Inventory(assets);
}
