import type { MatchPolicy } from './uri.js';

/**
 * Values keyed by a URI and a match policy, looked up the way WAMP routes calls and events:
 * exact > longest prefix > wildcard. Prefix matching is on the URI string (as Crossbar does);
 * wildcard patterns match component-wise, an empty component matching any one component.
 */
export class UriPatternMap<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefix = new Map<string, T>();
  /** Wildcard patterns grouped by component count, so only patterns of the right length are tried. */
  private readonly wildcard = new Map<number, Map<string, { parts: string[]; value: T }>>();
  private wildcardCount = 0;

  get size(): number {
    return this.exact.size + this.prefix.size + this.wildcardCount;
  }

  get(uri: string, match: MatchPolicy): T | undefined {
    if (match === 'exact') return this.exact.get(uri);
    if (match === 'prefix') return this.prefix.get(uri);
    const parts = uri.split('.');
    return this.wildcard.get(parts.length)?.get(uri)?.value;
  }

  set(uri: string, match: MatchPolicy, value: T): void {
    if (match === 'exact') this.exact.set(uri, value);
    else if (match === 'prefix') this.prefix.set(uri, value);
    else {
      const parts = uri.split('.');
      let group = this.wildcard.get(parts.length);
      if (!group) {
        group = new Map();
        this.wildcard.set(parts.length, group);
      }
      if (!group.has(uri)) this.wildcardCount++;
      group.set(uri, { parts, value });
    }
  }

  delete(uri: string, match: MatchPolicy): boolean {
    if (match === 'exact') return this.exact.delete(uri);
    if (match === 'prefix') return this.prefix.delete(uri);
    const parts = uri.split('.');
    const group = this.wildcard.get(parts.length);
    if (!group?.delete(uri)) return false;
    this.wildcardCount--;
    if (group.size === 0) this.wildcard.delete(parts.length);
    return true;
  }

  /** The single best match for `uri` (dealer semantics), or undefined. */
  best(uri: string): T | undefined {
    const hit = this.exact.get(uri);
    if (hit !== undefined) return hit;
    if (this.prefix.size > 0) {
      for (let end = uri.length; end >= 0; end--) {
        const p = this.prefix.get(uri.slice(0, end));
        if (p !== undefined) return p;
      }
    }
    if (this.wildcardCount > 0) {
      const parts = uri.split('.');
      let best: { parts: string[]; value: T } | undefined;
      let bestScore = -1;
      for (const entry of this.wildcard.get(parts.length)?.values() ?? []) {
        if (!componentsMatch(entry.parts, parts)) continue;
        // More concrete components win; ties go to the one that is concrete further left.
        const score = concreteScore(entry.parts);
        if (score > bestScore) {
          best = entry;
          bestScore = score;
        }
      }
      return best?.value;
    }
    return undefined;
  }

  /** Every value whose pattern matches `uri` (broker semantics). */
  all(uri: string): T[] {
    const out: T[] = [];
    const hit = this.exact.get(uri);
    if (hit !== undefined) out.push(hit);
    if (this.prefix.size > 0) {
      for (const [p, value] of this.prefix) if (uri.startsWith(p)) out.push(value);
    }
    if (this.wildcardCount > 0) {
      const parts = uri.split('.');
      for (const entry of this.wildcard.get(parts.length)?.values() ?? []) {
        if (componentsMatch(entry.parts, parts)) out.push(entry.value);
      }
    }
    return out;
  }

  *entries(): IterableIterator<{ uri: string; match: MatchPolicy; value: T }> {
    for (const [uri, value] of this.exact) yield { uri, match: 'exact', value };
    for (const [uri, value] of this.prefix) yield { uri, match: 'prefix', value };
    for (const group of this.wildcard.values()) {
      for (const [uri, e] of group) yield { uri, match: 'wildcard', value: e.value };
    }
  }
}

function componentsMatch(pattern: string[], parts: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p !== '' && p !== parts[i]) return false;
  }
  return true;
}

function concreteScore(pattern: string[]): number {
  let score = 0;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '') score += 2 ** (pattern.length - i);
  return score;
}
