export * from './errors';
export * from './routing';
export * from './headers';
export * from './sigv4';
export * from './checksums';
export * from './xml';
export * from './acl';
