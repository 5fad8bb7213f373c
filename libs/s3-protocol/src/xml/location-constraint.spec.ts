import { buildLocationConstraint } from './location-constraint';
import { parseBack } from './testing/xml-assert';

describe('buildLocationConstraint', () => {
  it.each([['us-east-1'], [''], [undefined]])('writes an empty element for %p (us-east-1)', (region) => {
    const xml = buildLocationConstraint({ LocationConstraint: region });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
    parseBack(xml);
  });

  it('writes the region otherwise', () => {
    const xml = buildLocationConstraint({ LocationConstraint: 'eu-west-1' });
    expect(xml).toMatchSnapshot();
    expect(parseBack(xml).LocationConstraint['#text']).toBe('eu-west-1');
  });
});
