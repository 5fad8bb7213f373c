import { buildAccelerateConfiguration, buildBucketLoggingStatus, buildNotificationConfiguration, buildRequestPaymentConfiguration } from './unconfigured-features';
import { parseBack } from './testing/xml-assert';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

describe('documents of features never configured', () => {
  it('are the empty documents S3 answers, parseable', () => {
    expect(buildBucketLoggingStatus()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<BucketLoggingStatus ${NS}></BucketLoggingStatus>`);
    expect(buildNotificationConfiguration()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration ${NS}></NotificationConfiguration>`);
    expect(buildAccelerateConfiguration()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<AccelerateConfiguration ${NS}></AccelerateConfiguration>`);
    for (const xml of [buildBucketLoggingStatus(), buildNotificationConfiguration(), buildAccelerateConfiguration()]) parseBack(xml);
  });

  it('name the bucket owner as the payer', () => {
    const xml = buildRequestPaymentConfiguration();
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<RequestPaymentConfiguration ${NS}><Payer>BucketOwner</Payer></RequestPaymentConfiguration>`);
    expect(parseBack(xml).RequestPaymentConfiguration.Payer).toBe('BucketOwner');
  });
});
