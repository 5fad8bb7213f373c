import { XmlWriter, type XmlPieces } from './xml-writer';

/**
 * DeleteObjects: `<Deleted>` entries (`Key, VersionId?, DeleteMarker?, DeleteMarkerVersionId?`) then
 * `<Error>` entries (`Key, VersionId?, Code, Message`). In quiet mode AWS reports only the errors.
 */
export interface DeletedEntry {
  readonly Key: string;
  readonly VersionId?: string;
  readonly DeleteMarker?: boolean;
  readonly DeleteMarkerVersionId?: string;
}

export interface DeleteErrorEntry {
  readonly Key: string;
  readonly VersionId?: string;
  /** An S3 error code, e.g. `AccessDenied`, `InternalError`. */
  readonly Code: string;
  readonly Message: string;
}

export interface DeleteResultInput {
  /** The request's `<Quiet>`: when true, `Deleted` is not written. */
  readonly Quiet?: boolean;
  readonly Deleted: readonly DeletedEntry[];
  readonly Error: readonly DeleteErrorEntry[];
}

function writeDeleteResult(input: DeleteResultInput): XmlWriter {
  const w = new XmlWriter('DeleteResult');
  if (input.Quiet !== true) {
    for (const d of input.Deleted) {
      w.open('Deleted').text('Key', d.Key).optText('VersionId', d.VersionId);
      if (d.DeleteMarker !== undefined) w.bool('DeleteMarker', d.DeleteMarker);
      w.optText('DeleteMarkerVersionId', d.DeleteMarkerVersionId).close('Deleted');
    }
  }
  for (const e of input.Error) {
    w.open('Error').text('Key', e.Key).optText('VersionId', e.VersionId).text('Code', e.Code).text('Message', e.Message).close('Error');
  }
  return w;
}

export function buildDeleteResult(input: DeleteResultInput): string {
  return writeDeleteResult(input).end();
}

/** As `buildDeleteResult`, in pieces: what a response sends (the document can be large). */
export function buildDeleteResultPieces(input: DeleteResultInput): XmlPieces {
  return writeDeleteResult(input).endPieces();
}
