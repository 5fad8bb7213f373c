import { buildCorsConfiguration, parseCorsConfiguration } from './cors-configuration';

const doc = (rules: string) => `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</CORSConfiguration>`;
const ruleXml = (inner: string) => `<CORSRule>${inner}</CORSRule>`;
const MIN = '<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>';

function code(body: string): { code?: string; message?: string } {
  try {
    parseCorsConfiguration(body);
    return {};
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
}

describe('parseCorsConfiguration', () => {
  it('reads AWS documentation example rules', () => {
    const rules = parseCorsConfiguration(
      doc(
        ruleXml(
          '<ID>web</ID><AllowedOrigin>http://www.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>' +
            '<AllowedMethod>DELETE</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds><ExposeHeader>x-amz-server-side-encryption</ExposeHeader>',
        ) + ruleXml('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>'),
      ),
    );
    expect(rules).toEqual([
      {
        id: 'web',
        allowedOrigins: ['http://www.example.com'],
        allowedMethods: ['PUT', 'POST', 'DELETE'],
        allowedHeaders: ['*'],
        exposeHeaders: ['x-amz-server-side-encryption'],
        maxAgeSeconds: 3000,
      },
      { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] },
    ]);
  });

  it('lower-cases allowed headers (matched case-insensitively)', () => {
    expect(parseCorsConfiguration(doc(ruleXml(MIN + '<AllowedHeader>X-Amz-*</AllowedHeader>')))[0].allowedHeaders).toEqual(['x-amz-*']);
  });

  it('accepts 100 rules and refuses 101 (InvalidRequest)', () => {
    expect(parseCorsConfiguration(doc(ruleXml(MIN).repeat(100)))).toHaveLength(100);
    expect(code(doc(ruleXml(MIN).repeat(101)))).toEqual({
      code: 'InvalidRequest',
      message: 'The number of CORS rules should not exceed allowed limit of 100 rules.',
    });
  });

  it.each([
    ['an unsupported method', ruleXml('<AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin>'), 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH'],
    ['a lower-case method', ruleXml('<AllowedMethod>get</AllowedMethod><AllowedOrigin>*</AllowedOrigin>'), 'Found unsupported HTTP method in CORS config. Unsupported method is get'],
    ['two wildcards in an origin', ruleXml('<AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://*.*.com</AllowedOrigin>'), 'AllowedOrigin "http://*.*.com" can not have more than one wildcard.'],
    ['two wildcards in a header', ruleXml(MIN + '<AllowedHeader>x-*-*</AllowedHeader>'), 'AllowedHeader "x-*-*" can not have more than one wildcard.'],
    ['a wildcard expose header', ruleXml(MIN + '<ExposeHeader>*</ExposeHeader>'), 'ExposeHeader "*" contains wildcard. We currently do not support wildcard for ExposeHeader.'],
  ])('refuses %s with InvalidRequest', (_what, rules, message) => {
    expect(code(doc(rules))).toEqual({ code: 'InvalidRequest', message });
  });

  it.each([
    ['no rule', doc('')],
    ['a rule without a method', doc(ruleXml('<AllowedOrigin>*</AllowedOrigin>'))],
    ['a rule without an origin', doc(ruleXml('<AllowedMethod>GET</AllowedMethod>'))],
    ['an unknown element', doc(ruleXml(MIN + '<AllowedOrigins>*</AllowedOrigins>'))],
    ['an element outside a rule', doc(`<AllowedOrigin>*</AllowedOrigin>${ruleXml(MIN)}`)],
    ['a negative MaxAgeSeconds', doc(ruleXml(MIN + '<MaxAgeSeconds>-1</MaxAgeSeconds>'))],
    ['a non-numeric MaxAgeSeconds', doc(ruleXml(MIN + '<MaxAgeSeconds>ten</MaxAgeSeconds>'))],
    ['two MaxAgeSeconds', doc(ruleXml(MIN + '<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds>'))],
    ['another root', `<CORSConfig>${ruleXml(MIN)}</CORSConfig>`],
    ['not XML', 'cors please'],
  ])('refuses %s with MalformedXML', (_what, body) => {
    expect(code(body).code).toBe('MalformedXML');
  });
});

describe('buildCorsConfiguration', () => {
  it('writes the rules in S3 element order and parses back to the same rules', () => {
    const rules = parseCorsConfiguration(
      doc(ruleXml('<ExposeHeader>ETag</ExposeHeader><AllowedOrigin>http://a</AllowedOrigin><ID>r1</ID><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>5</MaxAgeSeconds>')),
    );
    const xml = buildCorsConfiguration(rules);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>r1</ID><AllowedHeader>*</AllowedHeader>' +
        '<AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://a</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>5</MaxAgeSeconds></CORSRule></CORSConfiguration>',
    );
    expect(parseCorsConfiguration(xml)).toEqual(rules);
  });
});
