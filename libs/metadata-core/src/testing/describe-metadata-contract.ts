import type { MetadataApi } from '@massive/contracts';
import { bucketContract } from './contract/buckets.contract';
import { configContract } from './contract/configs.contract';
import type { ContractEnv } from './contract/fixtures';
import { keyContract } from './contract/keys.contract';
import { listingContract } from './contract/listing.contract';
import { multipartContract } from './contract/multipart.contract';
import { objectContract } from './contract/objects.contract';
import { versionContract } from './contract/versions.contract';
import { versioningContract } from './contract/versioning.contract';
import { conditionalDeleteContract } from './contract/conditional-delete.contract';
import { objectLockContract } from './contract/object-lock.contract';

export interface MetadataContractSubject {
  readonly api: MetadataApi;
  cleanup(): Promise<void>;
}

/**
 * The MetadataApi contract, written once and run by every implementation: MetadataService over each
 * KV adapter, and the gRPC client against a real server. It speaks only the port, so it needs nothing
 * but `factory`. Each test gets a fresh subject.
 */
export function describeMetadataContract(name: string, factory: () => Promise<MetadataContractSubject>): void {
  describe(`MetadataApi contract: ${name}`, () => {
    let subject: MetadataContractSubject | undefined;
    const env = (): ContractEnv => {
      if (!subject) throw new Error('contract subject not ready');
      return { api: subject.api };
    };
    beforeEach(async () => {
      subject = await factory();
    });
    afterEach(async () => {
      await subject?.cleanup();
      subject = undefined;
    });
    bucketContract(env);
    objectContract(env);
    listingContract(env);
    multipartContract(env);
    versionContract(env);
    versioningContract(env);
    configContract(env);
    conditionalDeleteContract(env);
    objectLockContract(env);
    keyContract(env);
  });
}
