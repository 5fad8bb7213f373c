export * from './acl';
export * from './grant-headers';
