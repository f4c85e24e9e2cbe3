/** How auth config refers to the realms and roles of its router worker. */
import { nonEmptyString } from './checks.js';
import { pathKey, quoteList, type Ctx, type Rec } from './context.js';

/** References from auth config to the worker's realms and roles. */
export class RoleRefs {
  constructor(private readonly c: Ctx, private readonly realms: Map<string, Set<string>>) {}

  /** The optional realm name at `o[key]`, which must be a realm of this worker. */
  realm(o: Rec, path: string, key = 'realm'): string | undefined {
    const realm = this.c.field(o, key, path, nonEmptyString, undefined);
    if (realm !== undefined && !this.realms.has(realm)) {
      this.c.fail(pathKey(path, key), `realm ${JSON.stringify(realm)} is not defined in this worker (realms: ${this.names()})`);
      return undefined;
    }
    return realm;
  }

  role(role: string, realm: string | undefined, path: string): boolean {
    if (realm !== undefined) {
      if (this.realms.get(realm)?.has(role)) return true;
      this.c.fail(path, `role ${JSON.stringify(role)} is not defined in realm ${JSON.stringify(realm)}`);
      return false;
    }
    for (const roles of this.realms.values()) if (roles.has(role)) return true;
    this.c.fail(path, `role ${JSON.stringify(role)} is not defined in any realm of this worker (realms: ${this.names()})`);
    return false;
  }

  private names(): string {
    return this.realms.size === 0 ? 'none' : quoteList([...this.realms.keys()]);
  }
}
