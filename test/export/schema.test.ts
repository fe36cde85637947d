import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { timelineJsonSchemaText } from '../../src/export/schema.js';
import { ROOT } from '../helpers/cli.js';

const FILE = join(ROOT, 'src/export/timeline.schema.json');

describe('timeline JSON Schema', () => {
  it('is checked in exactly as the zod schema emits it', () => {
    const text = timelineJsonSchemaText();
    // UPDATE_SCHEMA=1 npx vitest run test/export/schema.test.ts rewrites it after a change.
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8'), 'src/export/timeline.schema.json is stale: run UPDATE_SCHEMA=1 npx vitest run test/export/schema.test.ts').toBe(text);
  });

  it('documents the event fields incident platforms need, and the version', () => {
    const doc = JSON.parse(timelineJsonSchemaText());
    expect(doc.properties.version.const).toBe(1);
    expect(doc.properties.mode.enum).toEqual(['live', 'drill']);
    const event = doc.properties.events.items;
    expect(event.required).toEqual(expect.arrayContaining(['occurred_at', 'kind', 'title', 'body', 'actor', 'source', 'idempotency_key']));
    expect(event.properties.idempotency_key.description).toMatch(/oncall:<incident id>:<seq>/);
  });
});
