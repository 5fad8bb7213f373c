export { describeMetadataContract, type MetadataContractSubject } from './describe-metadata-contract';
export { modelListing } from './contract/listing.contract';
export { describeLifecycleScenarios, type LifecycleSubject } from './lifecycle-scenarios';
