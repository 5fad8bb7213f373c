import { XmlWriter } from './xml-writer';

/** A browser POST upload answered with `success_action_status=201`. AWS sends it without a namespace. */
export interface PostResponseInput {
  /** URL of the new object. */
  readonly Location: string;
  readonly Bucket: string;
  readonly Key: string;
  readonly ETag: string;
}

export function buildPostResponse(input: PostResponseInput): string {
  return new XmlWriter('PostResponse', false).text('Location', input.Location).text('Bucket', input.Bucket).text('Key', input.Key).etag('ETag', input.ETag).end();
}
