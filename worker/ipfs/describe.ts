/**
 * Reads an RDF/Turtle description (catalog / API / market meta, API schema, member profile) with `n3`:
 * title, description, tags and the documents an API conforms to. The parser never touches the network
 * (no `@base`/`owl:imports` resolution); a file that is not UTF-8 Turtle is `malformed`, with the parser's
 * message.
 *
 * The described resource is the first subject (in document order) that has a title or a description, or
 * the first subject at all; its properties are read, other resources in the file (e.g. a catalog's APIs with
 * their own keywords) are not mixed in. Literals in English or without a language win over others.
 */
import { Parser, type Quad } from 'n3';
import { XbrErrorUri } from '../../schema/index.js';
import { ipfsError } from './errors.js';

const DCTERMS = 'http://purl.org/dc/terms/';
const DC = 'http://purl.org/dc/elements/1.1/';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const DCAT = 'http://www.w3.org/ns/dcat#';

/** Predicates in order of preference. */
const TITLE = [`${DCTERMS}title`, `${RDFS}label`, `${DC}title`];
const DESCRIPTION = [`${DCTERMS}description`, `${RDFS}comment`];
const KEYWORD = [`${DCAT}keyword`, `${DCTERMS}subject`];
const CONFORMS_TO = `${DCTERMS}conformsTo`;

/** Bounds that keep one description record small whatever the file holds. */
export const DESCRIBE_LIMITS = { title: 1_000, description: 10_000, tag: 200, tags: 100, refs: 100 } as const;

/** What a Turtle file says about its main resource. */
export interface TurtleDescription {
  title?: string;
  description?: string;
  /** `dcat:keyword` and literal `dcterms:subject`, trimmed, deduplicated, in document order. */
  tags: string[];
  /** `dcterms:conformsTo` objects (IRIs or literals), in document order. */
  conformsTo: string[];
}

const clip = (s: string, max: number): string => (s.length > max ? s.slice(0, max) : s);

function preferred(quads: readonly Quad[]): string | undefined {
  const lit = quads.filter((q) => q.object.termType === 'Literal');
  const lang = (q: Quad): string => (q.object.termType === 'Literal' ? q.object.language.toLowerCase() : '');
  const best = lit.find((q) => lang(q) === '' || lang(q) === 'en' || lang(q).startsWith('en-')) ?? lit[0];
  const v = best?.object.value.trim();
  return v === undefined || v === '' ? undefined : v;
}

function firstOf(bySubject: readonly Quad[], predicates: readonly string[]): string | undefined {
  for (const p of predicates) {
    const v = preferred(bySubject.filter((q) => q.predicate.value === p));
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Parses `bytes` as Turtle and describes its main resource.
 *
 * @param baseIri resolves relative IRIs (e.g. `ipfs://<cid>/`); nothing is fetched from it.
 * @throws WampError `xbr.error.ipfs_malformed` when the bytes are not UTF-8 or not Turtle.
 * @example
 * describeTurtle(new TextEncoder().encode('<#c> <http://purl.org/dc/terms/title> "Weather" .'), 'ipfs://bafy…/');
 * // { title: 'Weather', tags: [], conformsTo: [] }
 */
export function describeTurtle(bytes: Uint8Array, baseIri: string): TurtleDescription {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw ipfsError(XbrErrorUri.ipfsMalformed, 'not Turtle: the file is not UTF-8 text', {}, err);
  }
  let quads: Quad[];
  try {
    quads = new Parser({ format: 'text/turtle', baseIRI: baseIri }).parse(text);
  } catch (err) {
    throw ipfsError(XbrErrorUri.ipfsMalformed, `not Turtle: ${err instanceof Error ? err.message : String(err)}`, {}, err);
  }
  const subjects: string[] = [];
  for (const q of quads) if (!subjects.includes(q.subject.id)) subjects.push(q.subject.id);
  const describing = new Set([...TITLE, ...DESCRIPTION]);
  const main = subjects.find((s) => quads.some((q) => q.subject.id === s && describing.has(q.predicate.value))) ?? subjects[0];
  const own = quads.filter((q) => q.subject.id === main);

  const tags: string[] = [];
  for (const q of own) {
    if (!KEYWORD.includes(q.predicate.value) || q.object.termType !== 'Literal') continue;
    const t = clip(q.object.value.trim(), DESCRIBE_LIMITS.tag);
    if (t !== '' && !tags.includes(t) && tags.length < DESCRIBE_LIMITS.tags) tags.push(t);
  }
  const conformsTo: string[] = [];
  for (const q of own) {
    if (q.predicate.value !== CONFORMS_TO) continue;
    const v = q.object.value.trim();
    if (v !== '' && !conformsTo.includes(v) && conformsTo.length < DESCRIBE_LIMITS.refs) conformsTo.push(clip(v, DESCRIBE_LIMITS.title));
  }
  const title = firstOf(own, TITLE);
  const description = firstOf(own, DESCRIPTION);
  return {
    ...(title === undefined ? {} : { title: clip(title, DESCRIBE_LIMITS.title) }),
    ...(description === undefined ? {} : { description: clip(description, DESCRIBE_LIMITS.description) }),
    tags,
    conformsTo,
  };
}
