import { describeChunkStoreContract } from '@massive/blob-core/testing';
import { startSeaweedHarness } from '@massive/blob-seaweedfs/testing';

// The ChunkStore contract on SeaweedFsChunkStore over the protocol fake (3 volume servers, replication
// 001 so every chunk has two copies). SeaweedFS offers no listing, so the contract checks deletes
// through the fake's live needles instead (see ChunkStoreContractOptions.listing).
describeChunkStoreContract('SeaweedFsChunkStore on the SeaweedFS fake', () => startSeaweedHarness(), { listing: false });
describeChunkStoreContract(
  'SeaweedFsChunkStore on a JWT-secured SeaweedFS fake',
  () => startSeaweedHarness({ signingKey: 'write-secret', readSigningKey: 'read-secret' }, { jwtSigningKey: 'write-secret', jwtReadSigningKey: 'read-secret' }),
  { listing: false },
);
