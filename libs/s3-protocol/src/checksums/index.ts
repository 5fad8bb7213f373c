export * from './algorithms';
export * from './base64';
export * from './hasher';
export * from './crc-combine';
export * from './multipart-checksum';
export * from './checksum-headers';
export * from './content-md5';
export * from './checksum-combiner';
