export {
  validateTagSet,
  MAX_OBJECT_TAGS,
  MAX_BUCKET_TAGS,
  MAX_TAG_KEY_CHARS,
  MAX_TAG_VALUE_CHARS,
  type Tag,
  type TagTarget,
} from './tag-set';
export { parseTaggingHeader, formatTaggingHeader } from './tagging-header';
