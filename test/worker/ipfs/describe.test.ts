/**
 * Turtle descriptions: title / description / tags / conformsTo of the main resource, preference orders,
 * language preference, bounds; non-Turtle and non-UTF-8 input is `xbr.error.ipfs_malformed`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DESCRIBE_LIMITS, describeTurtle } from '../../../worker/ipfs/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const BASE = 'ipfs://bafytest/';

describe('describeTurtle', () => {
  it('reads dcterms title, description, dcat keywords, literal dcterms:subject and conformsTo', () => {
    const d = describeTurtle(
      enc(`@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
<#api> a dcat:DataService ;
  dcterms:title "Weather API" ;
  dcterms:description "Hourly readings." ;
  dcat:keyword "weather", "sensors", "weather" ;
  dcterms:subject "climate", <http://example.org/not-a-literal> ;
  dcterms:conformsTo <schema.fbs>, "xbr:api:v1" .`),
      BASE,
    );
    assert.deepEqual(d, { title: 'Weather API', description: 'Hourly readings.', tags: ['weather', 'sensors', 'climate'], conformsTo: [`${BASE}schema.fbs`, 'xbr:api:v1'] });
  });

  it('falls back to rdfs:label / dc:title and rdfs:comment, prefers English or untagged literals', () => {
    const d = describeTurtle(
      enc(`@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://x.org/c> rdfs:label "Katalog"@de, "Catalog"@en ; rdfs:comment "Eine Beschreibung"@de .`),
      BASE,
    );
    assert.equal(d.title, 'Catalog');
    assert.equal(d.description, 'Eine Beschreibung');
    const e = describeTurtle(enc('<#c> <http://purl.org/dc/elements/1.1/title> "Old style" .'), BASE);
    assert.equal(e.title, 'Old style');
  });

  it('describes the first resource with a title, not the others in the file', () => {
    const d = describeTurtle(
      enc(`@prefix dcterms: <http://purl.org/dc/terms/> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
<#x> a dcat:Resource .
<#cat> dcterms:title "Main" ; dcat:keyword "a" .
<#api> dcterms:title "Other" ; dcat:keyword "b" .`),
      BASE,
    );
    assert.equal(d.title, 'Main');
    assert.deepEqual(d.tags, ['a']);
  });

  it('accepts an empty document and bounds what it keeps', () => {
    assert.deepEqual(describeTurtle(enc(''), BASE), { tags: [], conformsTo: [] });
    const many = Array.from({ length: 300 }, (_, i) => `"t${i}"`).join(', ');
    const d = describeTurtle(enc(`<#c> <http://purl.org/dc/terms/title> "${'x'.repeat(5000)}" ; <http://www.w3.org/ns/dcat#keyword> ${many} .`), BASE);
    assert.equal(d.title?.length, DESCRIBE_LIMITS.title);
    assert.equal(d.tags.length, DESCRIBE_LIMITS.tags);
  });

  it('refuses non-Turtle and non-UTF-8 input as malformed, with the parser message', () => {
    assert.throws(() => describeTurtle(enc('{"title": "json is not turtle"}'), BASE), (e: { uri?: string; message: string }) => e.uri === 'xbr.error.ipfs_malformed' && /^not Turtle: /.test(e.message));
    assert.throws(() => describeTurtle(enc('<#a> <#b> .'), BASE), { uri: 'xbr.error.ipfs_malformed' });
    assert.throws(() => describeTurtle(new Uint8Array([0xff, 0xfe, 0x00, 0x80]), BASE), { uri: 'xbr.error.ipfs_malformed', message: /not UTF-8/ });
  });
});
