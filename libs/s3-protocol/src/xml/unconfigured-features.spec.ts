import {
  buildAccelerateConfiguration,
  buildNotificationConfiguration,
  buildRequestPaymentConfiguration,
  parseAccelerateConfiguration,
  parseNotificationConfiguration,
  parseRequestPaymentConfiguration,
} from './unconfigured-features';
import { parseBack } from './testing/xml-assert';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

describe('documents of features never configured', () => {
  it('are the empty documents S3 answers, parseable', () => {
    expect(buildNotificationConfiguration()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration ${NS}></NotificationConfiguration>`);
    expect(buildAccelerateConfiguration()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<AccelerateConfiguration ${NS}></AccelerateConfiguration>`);
    for (const xml of [buildNotificationConfiguration(), buildAccelerateConfiguration()]) parseBack(xml);
  });

  it('name the bucket owner as the payer', () => {
    const xml = buildRequestPaymentConfiguration();
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<RequestPaymentConfiguration ${NS}><Payer>BucketOwner</Payer></RequestPaymentConfiguration>`);
    expect(parseBack(xml).RequestPaymentConfiguration.Payer).toBe('BucketOwner');
  });
});

describe('bodies that set those features', () => {
  const doc = (root: string, inner = '') => `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${NS.slice(7, -1)}">${inner}</${root}>`;

  it('tell off from on', () => {
    expect(parseRequestPaymentConfiguration(doc('RequestPaymentConfiguration', '<Payer>BucketOwner</Payer>'))).toBe('BucketOwner');
    expect(parseRequestPaymentConfiguration(doc('RequestPaymentConfiguration', '<Payer> Requester </Payer>'))).toBe('Requester');
    expect(parseAccelerateConfiguration(doc('AccelerateConfiguration', '<Status>Suspended</Status>'))).toBe('Suspended');
    expect(parseAccelerateConfiguration(doc('AccelerateConfiguration', '<Status>Enabled</Status>'))).toBe('Enabled');
    expect(parseNotificationConfiguration(doc('NotificationConfiguration'))).toEqual({ empty: true });
    expect(parseNotificationConfiguration(doc('NotificationConfiguration', '<QueueConfiguration><Queue>arn:q</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>'))).toEqual({ empty: false });
    expect(parseNotificationConfiguration(doc('NotificationConfiguration', '<EventBridgeConfiguration></EventBridgeConfiguration>'))).toEqual({ empty: false });
  });

  it.each([
    ['a payer of another kind', () => parseRequestPaymentConfiguration(doc('RequestPaymentConfiguration', '<Payer>Nobody</Payer>'))],
    ['no payer', () => parseRequestPaymentConfiguration(doc('RequestPaymentConfiguration'))],
    ['two payers', () => parseRequestPaymentConfiguration(doc('RequestPaymentConfiguration', '<Payer>BucketOwner</Payer><Payer>BucketOwner</Payer>'))],
    ['a status of another kind', () => parseAccelerateConfiguration(doc('AccelerateConfiguration', '<Status>Off</Status>'))],
    ['no status', () => parseAccelerateConfiguration(doc('AccelerateConfiguration'))],
    ['an unknown notification element', () => parseNotificationConfiguration(doc('NotificationConfiguration', '<SnsConfiguration/>'))],
    ['the wrong root', () => parseNotificationConfiguration(doc('BucketLoggingStatus'))],
    ['not XML', () => parseNotificationConfiguration('{}')],
  ])('refuse %s as MalformedXML', (_what, parse) => {
    expect(parse).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });
});
