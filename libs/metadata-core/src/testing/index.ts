export { describeMetadataContract, type MetadataContractSubject } from './describe-metadata-contract';
export { modelListing } from './contract/listing.contract';
export { describeLifecycleScenarios, type LifecycleSubject } from './lifecycle-scenarios';
export { BIG_BUCKET_FORMAT, bigBucketBody, bigBucketLayout, fillBigBucket, readUsage, type BigBucketLayout, type FillOptions, type FillResult } from './big-bucket';
