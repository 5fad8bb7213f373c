import type { Authenticated } from './auth';

/**
 * A browser POST upload signs its form, not its request: the request itself carries no SigV4, and its
 * body is plain multipart/form-data. The PostObject handler verifies the form's signature and policy
 * and takes the owner from the key that signed it; until then the request has no owner.
 */
export function formUploadRequest(): Authenticated {
  return {
    kind: 'signed',
    owner: { id: '', displayName: '' },
    sigv4: {
      kind: 'header',
      accessKeyId: '',
      scope: { date: '', region: '', service: '' },
      signedHeaders: [],
      requestTime: new Date(0),
      payloadMode: 'unsigned',
      signing: { signingKey: Buffer.alloc(0), seedSignature: '', scope: '', datetime: '' },
    },
  };
}
