// Browser POST uploads: the form's fields, its signed policy document, and their checks.
export { PostFields } from './post-fields';
export { parsePostPolicy, type PostPolicy, type PolicyCondition } from './post-policy';
export { evaluatePostPolicy, type PolicyFacts, type LengthRange } from './evaluate-policy';
export { postAuthFields, verifyPostSignature, verifyPostSignatureV2, missingField, type PostAuth, type PostSignatureFields, type PostSignatureV2Fields, type PostVerifyOptions, type VerifiedPost } from './post-signature';
