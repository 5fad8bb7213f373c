import type { XmlWriter } from './xml-writer';

/**
 * Value types shared by several S3 XML documents. Field names are AWS's element names, so an input object reads
 * like the XML it becomes.
 */

import type { ChecksumAlgorithm, ChecksumType } from '../checksums/algorithms';
export type { ChecksumAlgorithm, ChecksumType };

/** `<Owner>` / `<Initiator>`. AWS has stopped returning `DisplayName` in most regions: leave it out unless needed. */
export interface Owner {
  readonly ID: string;
  readonly DisplayName?: string;
}

/** Base64 checksum values; each is written only when present, in AWS order. */
export interface Checksums {
  readonly ChecksumCRC32?: string;
  readonly ChecksumCRC32C?: string;
  readonly ChecksumCRC64NVME?: string;
  readonly ChecksumSHA1?: string;
  readonly ChecksumSHA256?: string;
}

/** The value of `<EncodingType>`; when set, the caller has already applied `s3UrlEncode` to the fields AWS encodes. */
export type EncodingType = 'url';

export function writeOwner(w: XmlWriter, name: 'Owner' | 'Initiator', owner: Owner): void {
  w.open(name).text('ID', owner.ID).optText('DisplayName', owner.DisplayName).close(name);
}

export function writeChecksums(w: XmlWriter, c: Checksums): void {
  w.optText('ChecksumCRC32', c.ChecksumCRC32)
    .optText('ChecksumCRC32C', c.ChecksumCRC32C)
    .optText('ChecksumCRC64NVME', c.ChecksumCRC64NVME)
    .optText('ChecksumSHA1', c.ChecksumSHA1)
    .optText('ChecksumSHA256', c.ChecksumSHA256);
}

export function writeCommonPrefixes(w: XmlWriter, prefixes: readonly string[]): void {
  for (const p of prefixes) w.open('CommonPrefixes').text('Prefix', p).close('CommonPrefixes');
}
