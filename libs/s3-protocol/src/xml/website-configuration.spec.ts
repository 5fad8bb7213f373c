import { GetBucketWebsiteCommand, PutBucketWebsiteCommand } from '@aws-sdk/client-s3';
import {
  buildWebsiteConfiguration,
  isWebsiteConfiguration,
  MAX_WEBSITE_ROUTING_RULES,
  parseWebsiteConfiguration,
  type WebsiteConfiguration,
} from './website-configuration';
import { stubS3Client } from './testing/sdk-stub';
import { childNames, parseBack } from './testing/xml-assert';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';
const doc = (inner: string) => `<WebsiteConfiguration xmlns="${NS}">${inner}</WebsiteConfiguration>`;
const INDEX = '<IndexDocument><Suffix>index.html</Suffix></IndexDocument>';
const rules = (...r: string[]) => `<RoutingRules>${r.join('')}</RoutingRules>`;
const rule = (redirect: string, condition?: string) =>
  `<RoutingRule>${condition === undefined ? '' : `<Condition>${condition}</Condition>`}<Redirect>${redirect}</Redirect></RoutingRule>`;
/** A site with an index document and these routing rules. */
const site = (...r: string[]) => doc(INDEX + rules(...r));
const TO_HOST = '<HostName>example.com</HostName>';
const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema.';

interface Outcome {
  code?: string;
  status?: number;
  message?: string;
  extra?: Record<string, string>;
}

function outcome(body: string): Outcome {
  try {
    parseWebsiteConfiguration(body);
    return {};
  } catch (e) {
    const err = e as { code: string; status: number; message: string; extra: Record<string, string> };
    return { code: err.code, status: err.status, message: err.message, extra: err.extra };
  }
}

const invalidRequest = (message: string): Outcome => ({ code: 'InvalidRequest', status: 400, message, extra: {} });

describe('parseWebsiteConfiguration: what S3 accepts', () => {
  it('reads the AWS documentation example (index and error document), with whitespace, from a string or a Buffer', () => {
    const body = `${PROLOG}${doc('\n  <IndexDocument>\n    <Suffix>index.html</Suffix>\n  </IndexDocument>\n  <ErrorDocument>\n    <Key>SomeErrorDocument.html</Key>\n  </ErrorDocument>\n')}`;
    const want = { indexDocument: { suffix: 'index.html' }, errorDocument: { key: 'SomeErrorDocument.html' } };
    expect(parseWebsiteConfiguration(body)).toEqual(want);
    expect(parseWebsiteConfiguration(Buffer.from(body))).toEqual(want);
  });

  it('reads RedirectAllRequestsTo, with or without a Protocol', () => {
    expect(parseWebsiteConfiguration(doc('<RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo>'))).toEqual({
      redirectAllRequestsTo: { hostName: 'example.com' },
    });
    expect(parseWebsiteConfiguration(doc('<RedirectAllRequestsTo><Protocol> https </Protocol><HostName>www.example.com</HostName></RedirectAllRequestsTo>'))).toEqual({
      redirectAllRequestsTo: { hostName: 'www.example.com', protocol: 'https' },
    });
  });

  it('reads the user guide routing rule examples (prefix, key, error code and host)', () => {
    const c = parseWebsiteConfiguration(
      site(
        rule('<ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith>', '<KeyPrefixEquals>docs/</KeyPrefixEquals>'),
        rule('<ReplaceKeyWith>folderdeleted.html</ReplaceKeyWith>', '<KeyPrefixEquals>images/</KeyPrefixEquals>'),
        rule('<HostName>ec2-11-22-333-44.compute-1.amazonaws.com</HostName><ReplaceKeyPrefixWith>report-404/</ReplaceKeyPrefixWith>', '<HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>'),
        rule('<Protocol>https</Protocol><HostName>example.com</HostName><HttpRedirectCode>302</HttpRedirectCode>'),
      ),
    );
    expect(c.routingRules).toEqual([
      { condition: { keyPrefixEquals: 'docs/' }, redirect: { replaceKeyPrefixWith: 'documents/' } },
      { condition: { keyPrefixEquals: 'images/' }, redirect: { replaceKeyWith: 'folderdeleted.html' } },
      { condition: { httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'ec2-11-22-333-44.compute-1.amazonaws.com', replaceKeyPrefixWith: 'report-404/' } },
      { redirect: { protocol: 'https', hostName: 'example.com', httpRedirectCode: '302' } },
    ]);
  });

  it('takes elements in any order, and no namespace', () => {
    const body =
      '<WebsiteConfiguration><RoutingRules><RoutingRule><Redirect><HostName>h</HostName></Redirect><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>' +
      '<KeyPrefixEquals>a/</KeyPrefixEquals></Condition></RoutingRule></RoutingRules><ErrorDocument><Key>e.html</Key></ErrorDocument>' +
      '<IndexDocument><Suffix>i.html</Suffix></IndexDocument></WebsiteConfiguration>';
    expect(parseWebsiteConfiguration(body)).toEqual({
      indexDocument: { suffix: 'i.html' },
      errorDocument: { key: 'e.html' },
      routingRules: [{ condition: { keyPrefixEquals: 'a/', httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'h' } }],
    });
  });

  it('keeps keys, prefixes and host names exactly as sent (spaces, entities, unicode)', () => {
    const c = parseWebsiteConfiguration(
      doc(
        '<IndexDocument><Suffix> index &amp; more.html </Suffix></IndexDocument><ErrorDocument><Key>errors/é &lt;404&gt;.html</Key></ErrorDocument>' +
          rules(rule('<ReplaceKeyWith>a&#x1F600;b</ReplaceKeyWith>', '<KeyPrefixEquals> docs/ </KeyPrefixEquals>')),
      ),
    );
    expect(c).toEqual({
      indexDocument: { suffix: ' index & more.html ' },
      errorDocument: { key: 'errors/é <404>.html' },
      routingRules: [{ condition: { keyPrefixEquals: ' docs/ ' }, redirect: { replaceKeyWith: 'a\u{1F600}b' } }],
    });
  });

  it('takes an empty KeyPrefixEquals (it matches every key) and an empty ReplaceKeyPrefixWith (it strips the prefix)', () => {
    expect(parseWebsiteConfiguration(site(rule('<ReplaceKeyPrefixWith></ReplaceKeyPrefixWith>', '<KeyPrefixEquals></KeyPrefixEquals>'))).routingRules).toEqual([
      { condition: { keyPrefixEquals: '' }, redirect: { replaceKeyPrefixWith: '' } },
    ]);
  });

  it.each(['301', '302', '303', '304', '305', '307', '308'])('takes the redirect code %s', (code) => {
    expect(parseWebsiteConfiguration(site(rule(`${TO_HOST}<HttpRedirectCode>${code}</HttpRedirectCode>`))).routingRules?.[0].redirect.httpRedirectCode).toBe(code);
  });

  it.each(['400', '403', '404', '405', '410', '417', '500', '502', '503', '505'])('takes the error code %s', (code) => {
    const c = parseWebsiteConfiguration(site(rule(TO_HOST, `<HttpErrorCodeReturnedEquals>${code}</HttpErrorCodeReturnedEquals>`)));
    expect(c.routingRules?.[0].condition).toEqual({ httpErrorCodeReturnedEquals: code });
  });

  it('keeps codes in canonical form, as the website endpoint compares them with a status', () => {
    const c = parseWebsiteConfiguration(site(rule(`${TO_HOST}<HttpRedirectCode> 0302 </HttpRedirectCode>`, '<HttpErrorCodeReturnedEquals>\n404\n</HttpErrorCodeReturnedEquals>')));
    expect(c.routingRules).toEqual([{ condition: { httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'example.com', httpRedirectCode: '302' } }]);
  });

  it(`takes ${MAX_WEBSITE_ROUTING_RULES} routing rules`, () => {
    expect(parseWebsiteConfiguration(site(...Array.from({ length: 50 }, () => rule(TO_HOST)))).routingRules).toHaveLength(50);
  });
});

describe('parseWebsiteConfiguration: what S3 refuses', () => {
  it.each([
    ['an IndexDocument', '<IndexDocument><Suffix>index.html</Suffix></IndexDocument>'],
    ['an ErrorDocument', '<ErrorDocument><Key>e.html</Key></ErrorDocument>'],
    ['RoutingRules', rules(rule(TO_HOST))],
  ])('refuses RedirectAllRequestsTo beside %s (InvalidArgument)', (_what, other) => {
    expect(outcome(doc(`<RedirectAllRequestsTo><HostName>example.net</HostName></RedirectAllRequestsTo>${other}`))).toEqual({
      code: 'InvalidArgument',
      status: 400,
      message: 'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.',
      extra: { ArgumentName: 'RedirectAllRequestsTo', ArgumentValue: 'not null' },
    });
  });

  it.each([
    ['an empty configuration', doc('')],
    ['only an ErrorDocument', doc('<ErrorDocument><Key>e.html</Key></ErrorDocument>')],
    ['only RoutingRules', doc(rules(rule(TO_HOST)))],
  ])('needs an IndexDocument without RedirectAllRequestsTo: refuses %s (InvalidArgument)', (_what, body) => {
    expect(outcome(body)).toEqual({
      code: 'InvalidArgument',
      status: 400,
      message: 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty',
      extra: { ArgumentName: 'IndexDocument', ArgumentValue: 'null' },
    });
  });

  it.each([
    ['an empty Suffix', '', { ArgumentName: 'IndexDocument' }],
    ['a Suffix with a slash', 'a/index.html', { ArgumentName: 'IndexDocument', ArgumentValue: 'a/index.html' }],
    ['a Suffix that is a slash', '/', { ArgumentName: 'IndexDocument', ArgumentValue: '/' }],
  ])('refuses %s (InvalidArgument)', (_what, suffix, extra) => {
    expect(outcome(doc(`<IndexDocument><Suffix>${suffix}</Suffix></IndexDocument>`))).toEqual({
      code: 'InvalidArgument',
      status: 400,
      message: 'The IndexDocument Suffix is not well formed',
      extra,
    });
  });

  it('refuses an empty ErrorDocument Key (InvalidArgument)', () => {
    expect(outcome(doc(`${INDEX}<ErrorDocument><Key></Key></ErrorDocument>`))).toEqual({
      code: 'InvalidArgument',
      status: 400,
      message: 'The ErrorDocument Key is not well formed',
      extra: { ArgumentName: 'ErrorDocument' },
    });
  });

  it('refuses 51 routing rules (InvalidRequest)', () => {
    expect(outcome(site(...Array.from({ length: 51 }, () => rule(TO_HOST))))).toEqual(
      invalidRequest('51 routing rules provided, the number of routing rules in a website configuration is limited to 50.'),
    );
  });

  it.each([
    ['an empty Condition', rule(TO_HOST, ''), "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present."],
    ['ReplaceKeyPrefixWith and ReplaceKeyWith together', rule('<ReplaceKeyPrefixWith>b/</ReplaceKeyPrefixWith><ReplaceKeyWith>a</ReplaceKeyWith>'), 'You can only define ReplaceKeyPrefix or ReplaceKey but not both.'],
    ['both replacements, even empty', rule('<ReplaceKeyPrefixWith></ReplaceKeyPrefixWith><ReplaceKeyWith></ReplaceKeyWith>'), 'You can only define ReplaceKeyPrefix or ReplaceKey but not both.'],
    ['a blank HostName in a Redirect', rule('<HostName></HostName><ReplaceKeyWith>a</ReplaceKeyWith>'), 'The HostName cannot be blank. To redirect within the same domain, the element should not be present.'],
  ])('refuses %s (InvalidRequest)', (_what, r, message) => {
    expect(outcome(site(r))).toEqual(invalidRequest(message));
  });

  const PROTOCOL = 'Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.';
  it.each([
    ['ftp in RedirectAllRequestsTo', doc('<RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>ftp</Protocol></RedirectAllRequestsTo>')],
    ['HTTPS in RedirectAllRequestsTo (lower case only)', doc('<RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>HTTPS</Protocol></RedirectAllRequestsTo>')],
    ['http2 in a Redirect', site(rule('<Protocol>http2</Protocol><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith>', '<KeyPrefixEquals>docs/</KeyPrefixEquals>'))],
    ['an empty Protocol in a Redirect', site(rule(`${TO_HOST}<Protocol></Protocol>`))],
  ])('refuses the protocol %s (InvalidRequest)', (_what, body) => {
    expect(outcome(body)).toEqual(invalidRequest(PROTOCOL));
  });

  it('refuses a blank HostName in RedirectAllRequestsTo (InvalidRequest)', () => {
    expect(outcome(doc('<RedirectAllRequestsTo><HostName></HostName></RedirectAllRequestsTo>'))).toEqual(
      invalidRequest('A host name must be provided to redirect all requests (e.g. "example.com").'),
    );
  });

  it.each([
    ['300', 300],
    ['306', 306],
    ['309', 309],
    ['314', 314],
    ['399', 399],
    ['200', 200],
    ['404', 404],
    ['-1', -1],
  ])('refuses the redirect code %s (InvalidRequest)', (code, n) => {
    expect(outcome(site(rule(`${TO_HOST}<HttpRedirectCode>${code}</HttpRedirectCode>`)))).toEqual(
      invalidRequest(`The provided HTTP redirect code (${n}) is not valid. Valid codes are 3XX except 300.`),
    );
  });

  it.each(['302', '399', '418', '451', '499', '506', '600'])('refuses the error code %s (InvalidRequest)', (code) => {
    expect(outcome(site(rule(TO_HOST, `<HttpErrorCodeReturnedEquals>${code}</HttpErrorCodeReturnedEquals>`)))).toEqual(
      invalidRequest(`The provided HTTP error code (${code}) is not valid. Valid codes are 4XX or 5XX.`),
    );
  });

  it.each([
    ['not XML', 'index.html'],
    ['another root', `<WebsiteConfig>${INDEX}</WebsiteConfig>`],
    ['an unknown element in the root', doc(`${INDEX}<Suffix>index.html</Suffix>`)],
    ['two IndexDocuments', doc(INDEX + INDEX)],
    ['text in the root', doc(`${INDEX}x`)],
    ['an IndexDocument without Suffix', doc('<IndexDocument></IndexDocument>')],
    ['an unknown element in IndexDocument', doc('<IndexDocument><Suffix>i.html</Suffix><Key>k</Key></IndexDocument>')],
    ['a Suffix with a child element', doc('<IndexDocument><Suffix><Name>i.html</Name></Suffix></IndexDocument>')],
    ['an ErrorDocument without Key', doc(`${INDEX}<ErrorDocument/>`)],
    ['two Keys in ErrorDocument', doc(`${INDEX}<ErrorDocument><Key>a</Key><Key>b</Key></ErrorDocument>`)],
    ['a RedirectAllRequestsTo without HostName', doc('<RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>')],
    ['an unknown element in RedirectAllRequestsTo', doc('<RedirectAllRequestsTo><HostName>h</HostName><HttpRedirectCode>302</HttpRedirectCode></RedirectAllRequestsTo>')],
    ['an empty RoutingRules', doc(`${INDEX}<RoutingRules></RoutingRules>`)],
    ['something else than a RoutingRule in RoutingRules', site(`<Rule><Redirect>${TO_HOST}</Redirect></Rule>`)],
    ['a RoutingRule without Redirect', site('<RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule>')],
    ['two Redirects in a RoutingRule', site(`<RoutingRule><Redirect>${TO_HOST}</Redirect><Redirect>${TO_HOST}</Redirect></RoutingRule>`)],
    ['an empty Redirect', site(rule(''))],
    ['an unknown element in a Redirect', site(rule(`${TO_HOST}<ReplaceKey>a</ReplaceKey>`))],
    ['an unknown element in a Condition', site(rule(TO_HOST, '<KeyPrefix>a</KeyPrefix>'))],
    ['a redirect code that is no number', site(rule(`${TO_HOST}<HttpRedirectCode>https</HttpRedirectCode>`))],
    ['a redirect code written 3xx', site(rule(`${TO_HOST}<HttpRedirectCode>3xx</HttpRedirectCode>`))],
    ['a redirect code past 32 bits', site(rule(`${TO_HOST}<HttpRedirectCode>4294967597</HttpRedirectCode>`))],
    ['an error code that is no number', site(rule(TO_HOST, '<HttpErrorCodeReturnedEquals>4xx</HttpErrorCodeReturnedEquals>'))],
    ['a DOCTYPE', `<!DOCTYPE WebsiteConfiguration>${doc(INDEX)}`],
  ])('refuses %s as MalformedXML', (_what, body) => {
    expect(outcome(body)).toEqual({ code: 'MalformedXML', status: 400, message: MALFORMED, extra: {} });
  });

  it('checks the schema before anything else, and the rule count before the rules', () => {
    // RedirectAllRequestsTo beside an IndexDocument, but an unknown element too: the schema answers first.
    expect(outcome(doc(`<RedirectAllRequestsTo><HostName>h</HostName></RedirectAllRequestsTo>${INDEX}<Foo/>`)).code).toBe('MalformedXML');
    // A bad rule after a schema error in a later rule.
    expect(outcome(site(rule('<Protocol>ftp</Protocol>'), rule(''))).code).toBe('MalformedXML');
    // 51 rules, one of them refused on its own: the count is refused.
    const many = [rule('<ReplaceKeyPrefixWith>b/</ReplaceKeyPrefixWith><ReplaceKeyWith>a</ReplaceKeyWith>'), ...Array.from({ length: 50 }, () => rule(TO_HOST))];
    expect(outcome(site(...many)).message).toMatch(/^51 routing rules provided/);
    // A missing IndexDocument before a bad rule.
    expect(outcome(doc(rules(rule('<Protocol>ftp</Protocol>')))).message).toMatch(/^A value for IndexDocument Suffix/);
  });
});

const FULL: WebsiteConfiguration = {
  indexDocument: { suffix: 'index.html' },
  errorDocument: { key: 'errors/404 & <not found> é.html' },
  routingRules: [
    { condition: { keyPrefixEquals: 'docs/', httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'example.com', httpRedirectCode: '302', protocol: 'https', replaceKeyPrefixWith: 'documents/' } },
    { condition: { keyPrefixEquals: 'a&b<c>/' }, redirect: { replaceKeyWith: 'ümlaut \u{1F600}.html' } },
    { redirect: { hostName: 'www.example.com' } },
  ],
};

describe('buildWebsiteConfiguration', () => {
  it("writes every element in S3's order, values escaped, in S3's namespace", () => {
    const xml = buildWebsiteConfiguration(FULL);
    expect(xml).toBe(
      `${PROLOG}<WebsiteConfiguration xmlns="${NS}"><IndexDocument><Suffix>index.html</Suffix></IndexDocument>` +
        '<ErrorDocument><Key>errors/404 &amp; &lt;not found&gt; é.html</Key></ErrorDocument><RoutingRules>' +
        '<RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>' +
        '<Redirect><HostName>example.com</HostName><HttpRedirectCode>302</HttpRedirectCode><Protocol>https</Protocol><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect></RoutingRule>' +
        '<RoutingRule><Condition><KeyPrefixEquals>a&amp;b&lt;c&gt;/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyWith>ümlaut \u{1F600}.html</ReplaceKeyWith></Redirect></RoutingRule>' +
        '<RoutingRule><Redirect><HostName>www.example.com</HostName></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>',
    );
    expect(xml).toMatchSnapshot();
    expect(childNames(xml)).toEqual(['IndexDocument', 'ErrorDocument', 'RoutingRules']);
    expect(parseBack(xml).WebsiteConfiguration.ErrorDocument.Key).toBe('errors/404 & <not found> é.html');
  });

  it('writes RedirectAllRequestsTo alone, HostName before Protocol', () => {
    const xml = buildWebsiteConfiguration({ redirectAllRequestsTo: { hostName: 'example.com', protocol: 'https' } });
    expect(xml).toBe(
      `${PROLOG}<WebsiteConfiguration xmlns="${NS}"><RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`,
    );
    expect(buildWebsiteConfiguration({ redirectAllRequestsTo: { hostName: 'example.com' } })).toBe(
      `${PROLOG}<WebsiteConfiguration xmlns="${NS}"><RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo></WebsiteConfiguration>`,
    );
  });

  it('writes only what is set: no empty RoutingRules, no empty Condition element, empty strings kept', () => {
    expect(buildWebsiteConfiguration({ indexDocument: { suffix: 'i.html' }, routingRules: [] })).toBe(
      `${PROLOG}<WebsiteConfiguration xmlns="${NS}"><IndexDocument><Suffix>i.html</Suffix></IndexDocument></WebsiteConfiguration>`,
    );
    const xml = buildWebsiteConfiguration({ indexDocument: { suffix: 'i.html' }, routingRules: [{ condition: { keyPrefixEquals: '' }, redirect: { replaceKeyPrefixWith: '' } }] });
    expect(childNames(xml, 'RoutingRules', 'RoutingRule')).toEqual(['Condition', 'Redirect']);
    expect(xml).toContain('<Condition><KeyPrefixEquals></KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith></Redirect>');
  });

  it.each<[string, WebsiteConfiguration]>([
    ['a full configuration', FULL],
    ['a redirect of all requests', { redirectAllRequestsTo: { hostName: 'example.com', protocol: 'http' } }],
    ['an index document alone', { indexDocument: { suffix: 'default.htm' } }],
    ['empty condition values', { indexDocument: { suffix: 'i' }, routingRules: [{ condition: { keyPrefixEquals: '' }, redirect: { replaceKeyPrefixWith: '' } }] }],
  ])('round-trips %s: parse(build(c)) is c, and build(parse(build(c))) the same document', (_what, c) => {
    const xml = buildWebsiteConfiguration(c);
    const parsed = parseWebsiteConfiguration(xml);
    expect(parsed).toEqual(c);
    expect(buildWebsiteConfiguration(parsed)).toBe(xml);
  });

  it('round-trips a parsed document through its stored JSON', () => {
    const parsed = parseWebsiteConfiguration(buildWebsiteConfiguration(FULL));
    const stored: unknown = JSON.parse(JSON.stringify(parsed));
    expect(isWebsiteConfiguration(stored) && buildWebsiteConfiguration(stored)).toBe(buildWebsiteConfiguration(FULL));
  });
});

describe('isWebsiteConfiguration', () => {
  it.each<[string, unknown]>([
    ['a full configuration', FULL],
    ['a redirect of all requests', { redirectAllRequestsTo: { hostName: 'h' } }],
    ['an empty object', {}],
    ['an absent optional field', { indexDocument: { suffix: 'i' }, errorDocument: undefined }],
  ])('takes %s', (_what, v) => {
    expect(isWebsiteConfiguration(v)).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'configuration is not an object'],
    ['an array', [], 'configuration is not an object'],
    ['an unknown field', { indexDocument: { suffix: 'i' }, website: true }, 'configuration.website is not a known field'],
    ['a suffix that is no string', { indexDocument: { suffix: 1 } }, 'indexDocument.suffix is not a string'],
    ['an index document without suffix', { indexDocument: {} }, 'indexDocument.suffix is not a string'],
    ['an error document as a string', { errorDocument: 'e.html' }, 'errorDocument is not an object'],
    ['a redirect without host', { redirectAllRequestsTo: { protocol: 'https' } }, 'redirectAllRequestsTo.hostName is not a string'],
    ['another protocol', { redirectAllRequestsTo: { hostName: 'h', protocol: 'ftp' } }, 'redirectAllRequestsTo.protocol is not http or https'],
    ['rules that are no array', { routingRules: {} }, 'routingRules is not an array'],
    ['a rule without redirect', { routingRules: [{ condition: { keyPrefixEquals: 'a' } }] }, 'routingRules[0].redirect is not an object'],
    ['a numeric code', { routingRules: [{ redirect: { httpRedirectCode: 301 } }] }, 'routingRules[0].redirect.httpRedirectCode is not a string'],
    ['an unknown redirect field', { routingRules: [{ redirect: { hostName: 'h' } }, { redirect: { to: 'h' } }] }, 'routingRules[1].redirect.to is not a known field'],
    ['a condition code that is no string', { routingRules: [{ condition: { httpErrorCodeReturnedEquals: 404 }, redirect: {} }] }, 'routingRules[0].condition.httpErrorCodeReturnedEquals is not a string'],
  ])('throws on %s', (_what, v, message) => {
    expect(() => isWebsiteConfiguration(v)).toThrow(new TypeError(`stored website configuration: ${message}`));
  });
});

describe('@aws-sdk/client-s3 and our documents', () => {
  it('the SDK sends a PutBucketWebsite body we read', async () => {
    const { s3, sent } = stubS3Client();
    await s3.send(
      new PutBucketWebsiteCommand({
        Bucket: 'b',
        WebsiteConfiguration: {
          IndexDocument: { Suffix: 'index.html' },
          ErrorDocument: { Key: 'error.html' },
          RoutingRules: [
            { Condition: { KeyPrefixEquals: 'docs/', HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'example.com', Protocol: 'https', HttpRedirectCode: '307', ReplaceKeyPrefixWith: 'documents/' } },
            { Redirect: { ReplaceKeyWith: 'gone.html' } },
          ],
        },
      }),
    );
    expect(parseWebsiteConfiguration(sent[0])).toEqual({
      indexDocument: { suffix: 'index.html' },
      errorDocument: { key: 'error.html' },
      routingRules: [
        { condition: { keyPrefixEquals: 'docs/', httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'example.com', protocol: 'https', httpRedirectCode: '307', replaceKeyPrefixWith: 'documents/' } },
        { redirect: { replaceKeyWith: 'gone.html' } },
      ],
    });
  });

  it('the SDK reads our GetBucketWebsite answer', async () => {
    const { s3 } = stubS3Client(200, buildWebsiteConfiguration(FULL));
    const out = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'b' }));
    expect(out.IndexDocument).toEqual({ Suffix: 'index.html' });
    expect(out.ErrorDocument).toEqual({ Key: 'errors/404 & <not found> é.html' });
    expect(out.RedirectAllRequestsTo).toBeUndefined();
    expect(out.RoutingRules).toEqual([
      { Condition: { HttpErrorCodeReturnedEquals: '404', KeyPrefixEquals: 'docs/' }, Redirect: { HostName: 'example.com', HttpRedirectCode: '302', Protocol: 'https', ReplaceKeyPrefixWith: 'documents/' } },
      { Condition: { KeyPrefixEquals: 'a&b<c>/' }, Redirect: { ReplaceKeyWith: 'ümlaut \u{1F600}.html' } },
      { Redirect: { HostName: 'www.example.com' } },
    ]);
  });

  it('the SDK reads our RedirectAllRequestsTo answer', async () => {
    const { s3 } = stubS3Client(200, buildWebsiteConfiguration({ redirectAllRequestsTo: { hostName: 'example.com', protocol: 'https' } }));
    const out = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'b' }));
    expect(out.RedirectAllRequestsTo).toEqual({ HostName: 'example.com', Protocol: 'https' });
  });
});
