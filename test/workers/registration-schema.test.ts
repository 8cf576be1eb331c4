/**
 * The OpenAPI document's `ClientMetadata` (worker/routes/register.ts) describes exactly the metadata fields
 * registration reads (src/oauth/registration/metadata.ts), so the document cannot drift from the behaviour.
 */
import { describe, expect, it } from 'vitest';
import { ClientCreateSchema, ClientViewSchema } from '../../src/admin/client-schemas';
import { REGISTRATION_METADATA_FIELDS } from '../../src/oauth/registration';
import { EXTRA_METADATA_FIELDS } from '../../src/oauth/registration/metadata';
import { ClientMetadataSchema } from '../../worker/routes/register';

describe('Dynamic Client Registration (RFC 7591) document', () => {
  it('names every metadata field registration reads, and no other', () => {
    expect(Object.keys(ClientMetadataSchema.shape).sort()).toEqual([...REGISTRATION_METADATA_FIELDS].sort());
  });

  it('the admin API documents and shows every stored metadata field', () => {
    for (const field of EXTRA_METADATA_FIELDS) {
      expect(Object.keys(ClientCreateSchema.shape), field).toContain(field);
      expect(Object.keys(ClientViewSchema.shape), field).toContain(field);
    }
  });
});
