// Who exists in the emulator: each org's sandboxes and each API client's org.
//
// Sandboxes: Adobe's Flow Service answers a request for a sandbox the org does not have with
// `2101-404` "Sandbox not found … Error from Sandbox Management API: Sandbox with name 'dev' not
// present" (help/sources/errors/flow-service-errors.md); sandboxes are made in the Sandboxes UI or
// the Sandbox Management API, never by writing an entity. So every org starts with `prod` and the
// configured sandboxes (default `dev`, the example repo's other sandbox), and only the admin route
// (or the `sandboxes` option) adds more.
//
// Clients: an access token belongs to the Developer Console project (client) it was issued to, and
// a project belongs to one org. A token used with another `x-gw-ims-org-id` gets 403 `403025`
// "Profile is not valid": "the user or Adobe I/O integration (identified by the access token …) is
// not entitled to make calls to Experience Platform APIs for the IMS Org provided"
// (help/landing/troubleshooting.md). Our choice where Adobe has no equivalent: the emulator's IMS
// issues a token to any client id, and a client nobody added belongs to the demo org, so scripts
// and tests with their own client id keep working against the demo org.

export interface PersistedTenants {
  sandboxes: Record<string, string[]>;
  clients: Record<string, string>;
}

const byProdThenName = (a: string, b: string) => Number(b === 'prod') - Number(a === 'prod') || a.localeCompare(b);

export class Tenants {
  private readonly sandboxes = new Map<string, Set<string>>();
  private readonly clients = new Map<string, string>();

  constructor(
    /** Sandboxes every org has from the start, besides prod. */
    private readonly defaults: readonly string[],
    /** The org of a client nobody added (the demo org). */
    readonly defaultOrg: string,
    clients: Record<string, string> = {},
  ) {
    for (const [clientId, org] of Object.entries(clients)) this.addClient(clientId, org);
  }

  private of(org: string): Set<string> {
    let set = this.sandboxes.get(org);
    if (!set) this.sandboxes.set(org, (set = new Set(['prod', ...this.defaults])));
    return set;
  }

  /** The org's sandboxes, `prod` first, then by name. */
  sandboxesOf(org: string): string[] {
    return [...this.of(org)].sort(byProdThenName);
  }

  hasSandbox(org: string, name: string): boolean {
    return this.of(org).has(name);
  }

  /** True when the sandbox is new. */
  addSandbox(org: string, name: string): boolean {
    const set = this.of(org);
    if (set.has(name)) return false;
    set.add(name);
    return true;
  }

  orgOf(clientId: string): string {
    return this.clients.get(clientId) ?? this.defaultOrg;
  }

  addClient(clientId: string, org: string): void {
    this.clients.set(clientId, org);
  }

  toPersisted(): PersistedTenants {
    const sandboxes: Record<string, string[]> = {};
    for (const [org, set] of this.sandboxes) sandboxes[org] = [...set].sort(byProdThenName);
    return { sandboxes, clients: Object.fromEntries(this.clients) };
  }

  load(data: PersistedTenants | undefined, withEntities: Iterable<{ org: string; sandbox: string }>): void {
    for (const [org, names] of Object.entries(data?.sandboxes ?? {})) for (const n of names) this.addSandbox(org, n);
    for (const [clientId, org] of Object.entries(data?.clients ?? {})) this.addClient(clientId, org);
    // A state file from before the registry: the sandboxes that hold entities existed.
    for (const { org, sandbox } of withEntities) this.addSandbox(org, sandbox);
  }
}
