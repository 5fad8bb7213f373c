import { isPermission, type Grant, type Grantee } from '../acl/acl';
import { S3Error } from '../errors';
import { assertContainer, leafText, readXmlDocument, type XmlElement } from './xml-reader';
import { XmlWriter } from './xml-writer';
import { writeOwner, type Owner } from './xml-types';

/** Get*Acl's answer and Put*Acl's body. */
export interface AccessControlPolicy {
  readonly Owner: Owner;
  readonly Grants: readonly Grant[];
}

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** AWS's document: Owner, then AccessControlList with one Grant per grantee × permission (xsi:type on Grantee). */
export function buildAccessControlPolicy(input: AccessControlPolicy): string {
  const w = new XmlWriter('AccessControlPolicy');
  writeOwner(w, 'Owner', input.Owner);
  w.open('AccessControlList');
  for (const g of input.Grants) {
    w.open('Grant');
    const ge = g.grantee;
    w.open(`Grantee ${XSI} xsi:type="${ge.type}"`);
    if (ge.type === 'CanonicalUser') w.text('ID', ge.id).optText('DisplayName', ge.id === input.Owner.ID ? input.Owner.DisplayName : undefined);
    else if (ge.type === 'Group') w.text('URI', ge.uri);
    else w.text('EmailAddress', ge.email);
    w.close('Grantee').text('Permission', g.permission).close('Grant');
  }
  return w.close('AccessControlList').end();
}

/**
 * Put*Acl's body. The parser drops attributes, so a grantee's type is told by its child (ID, URI or
 * EmailAddress), which is what `xsi:type` must agree with anyway. Whatever does not fit the schema is
 * MalformedACLError, as AWS answers (not MalformedXML).
 */
export function parseAccessControlPolicy(body: string | Uint8Array): AccessControlPolicy {
  try {
    return readPolicy(readXmlDocument(body, 'AccessControlPolicy'));
  } catch (e) {
    if (e instanceof S3Error && e.code === 'MalformedXML') throw new S3Error('MalformedACLError');
    throw e;
  }
}

function malformed(): S3Error {
  return new S3Error('MalformedACLError');
}

function readPolicy(root: XmlElement): AccessControlPolicy {
  assertContainer(root);
  let owner: Owner | undefined;
  let grants: Grant[] | undefined;
  for (const el of root.children) {
    if (el.name === 'Owner' && owner === undefined) owner = readOwner(el);
    else if (el.name === 'AccessControlList' && grants === undefined) grants = readList(el);
    else throw malformed();
  }
  if (owner === undefined || grants === undefined) throw malformed();
  return { Owner: owner, Grants: grants };
}

function readOwner(el: XmlElement): Owner {
  assertContainer(el);
  let id: string | undefined;
  let name: string | undefined;
  for (const c of el.children) {
    if (c.name === 'ID' && id === undefined) id = leafText(c).trim();
    else if (c.name === 'DisplayName' && name === undefined) name = leafText(c);
    else throw malformed();
  }
  if (id === undefined) throw malformed();
  return name === undefined ? { ID: id } : { ID: id, DisplayName: name };
}

function readList(el: XmlElement): Grant[] {
  assertContainer(el);
  return el.children.map((g) => {
    if (g.name !== 'Grant') throw malformed();
    assertContainer(g);
    let grantee: Grantee | undefined;
    let permission: string | undefined;
    for (const c of g.children) {
      if (c.name === 'Grantee' && grantee === undefined) grantee = readGrantee(c);
      else if (c.name === 'Permission' && permission === undefined) permission = leafText(c).trim();
      else throw malformed();
    }
    if (grantee === undefined || permission === undefined || !isPermission(permission)) throw malformed();
    return { grantee, permission };
  });
}

function readGrantee(el: XmlElement): Grantee {
  assertContainer(el);
  let grantee: Grantee | undefined;
  for (const c of el.children) {
    if (c.name === 'DisplayName') continue;
    if (grantee !== undefined) throw malformed();
    const v = leafText(c).trim();
    if (c.name === 'ID') grantee = { type: 'CanonicalUser', id: v };
    else if (c.name === 'URI') grantee = { type: 'Group', uri: v };
    else if (c.name === 'EmailAddress') grantee = { type: 'AmazonCustomerByEmail', email: v };
    else throw malformed();
  }
  if (grantee === undefined) throw malformed();
  return grantee;
}
