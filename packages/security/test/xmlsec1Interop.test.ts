import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadSigner, PayloadVerifier, venFingerprint, type KeyAlgorithm } from '../src/index.js';
import { distributeEvent96 } from './helpers/distributeEvent.js';
import { caBundle, devCa, endEntity } from './helpers/pki.js';

/** xmlsec1 (libxmlsec1 over libxml2 and OpenSSL) is the independent implementation we check against. */
function xmlsec1Version(): string | undefined {
  try {
    return execFileSync('xmlsec1', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const version = xmlsec1Version();
if (version === undefined) {
  console.log('xmlsec1 interop tests did not run: no xmlsec1 command on this machine (CI installs the xmlsec1 package)');
}
const describeInterop = version === undefined ? describe.skip : describe;

const OADR = 'http://openadr.org/oadr-2.0b/2012/07';
const ID_ATTR = ['--id-attr:Id', `${OADR}:oadrSignedObject`];
const DEFAULT_NS_POLL =
  '<oadrPayload xmlns="http://openadr.org/oadr-2.0b/2012/07"><oadrSignedObject><oadrPoll xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110" ei:schemaVersion="2.0b"><ei:venID>ven-1</ei:venID></oadrPoll></oadrSignedObject></oadrPayload>';

/** C14N's corner cases in one payload: prefixes, default namespaces and undeclarations, references, CDATA, comments, PIs, xml:lang. */
const AWKWARD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!-- before -->\n<p:oadrPayload xmlns:p="http://openadr.org/oadr-2.0b/2012/07" xml:lang="en">\r\n' +
  '  <p:oadrSignedObject>\n    <oadrPoll xmlns="http://openadr.org/oadr-2.0b/2012/07" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110" ei:schemaVersion="2.0b">\n' +
  '      <ei:venID note="a&#9;b&#10;c &lt; &amp; &quot;\'" z="1" ei:a="2">ven &amp; co &gt; &#x1F600; é <![CDATA[<raw & data>]]><!-- c --><?pi  some data?></ei:venID>\n' +
  '      <empty/><x xmlns=""><y xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110"/></x>\n    </oadrPoll>\n  </p:oadrSignedObject>\n</p:oadrPayload>\n';

describeInterop(`interoperability with ${version ?? 'xmlsec1'}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oadr-xmlsec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function files(keyAlgorithm: KeyAlgorithm): { key: string; cert: string; root: string; intermediate: string; pair: ReturnType<typeof endEntity> } {
    const pair = endEntity('ven', keyAlgorithm);
    const ca = devCa(keyAlgorithm);
    const paths = {
      key: join(dir, `${keyAlgorithm}.key.pem`),
      cert: join(dir, `${keyAlgorithm}.cert.pem`),
      root: join(dir, `${keyAlgorithm}.root.pem`),
      intermediate: join(dir, `${keyAlgorithm}.intermediate.pem`),
    };
    writeFileSync(paths.key, pair.keyPem);
    writeFileSync(paths.cert, pair.certificatePem);
    writeFileSync(paths.root, ca.root.certificatePem);
    writeFileSync(paths.intermediate, ca.intermediate.certificatePem);
    return { ...paths, pair };
  }

  test.each([
    ['rsa-2048', 'inclusive', 'distributeEvent'],
    ['ec-p256', 'inclusive', 'distributeEvent'],
    ['ec-p256', 'exclusive', 'distributeEvent'],
    ['ec-p256', 'inclusive', 'default-namespace poll'],
    ['ec-p256', 'inclusive', 'awkward payload'],
    ['rsa-2048', 'exclusive', 'awkward payload'],
  ] as const)('xmlsec1 --verify accepts our %s signature (%s C14N, %s)', (keyAlgorithm, canonicalization, kind) => {
    const f = files(keyAlgorithm);
    const signer = new PayloadSigner({ keyPem: f.pair.keyPem, certificatePem: f.pair.certificatePem, canonicalization });
    const signedPath = join(dir, `ours-${keyAlgorithm}-${canonicalization}.xml`);
    writeFileSync(signedPath, signer.sign(kind === 'distributeEvent' ? distributeEvent96() : kind === 'awkward payload' ? AWKWARD : DEFAULT_NS_POLL));
    const run = spawnSync('xmlsec1', ['--verify', ...ID_ATTR, '--trusted-pem', f.root, '--untrusted-pem', f.intermediate, signedPath], { encoding: 'utf8' });
    expect(run.stderr).toContain('OK');
    expect(run.stderr).toMatch(/SignedInfo References \(ok\/all\): 2\/2/);
    expect(run.status).toBe(0);

    writeFileSync(signedPath, readFileSync(signedPath, 'utf8').replace(/ven(-1| &amp;)/, 'ven-2'));
    const tampered = spawnSync('xmlsec1', ['--verify', ...ID_ATTR, '--trusted-pem', f.root, '--untrusted-pem', f.intermediate, signedPath], { encoding: 'utf8' });
    expect(tampered.status).not.toBe(0);
  });

  test('we verify an enveloped whole-document signature (URI="", as avob signs) made by xmlsec1', () => {
    const f = files('ec-p256');
    const c14n = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
    const signature =
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${c14n}"/>` +
      `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>` +
      `<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="${c14n}"/></ds:Transforms>` +
      `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>` +
      `<ds:Reference URI="#prop"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>` +
      `<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo><ds:Object><ds:SignatureProperties><ds:SignatureProperty Id="prop" Target="">` +
      `<dsp:ReplayProtect xmlns:dsp="http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties"><dsp:timestamp>${new Date().toISOString()}</dsp:timestamp>` +
      `<dsp:nonce>enveloped-1</dsp:nonce></dsp:ReplayProtect></ds:SignatureProperty></ds:SignatureProperties></ds:Object></ds:Signature>`;
    const templatePath = join(dir, 'template-enveloped.xml');
    const outPath = join(dir, 'theirs-enveloped.xml');
    writeFileSync(templatePath, distributeEvent96().replace('<oadr:oadrSignedObject>', `${signature}<oadr:oadrSignedObject>`));
    const run = spawnSync('xmlsec1', ['--sign', '--privkey-pem', `${f.key},${f.cert}`, '--output', outPath, templatePath], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const signed = readFileSync(outPath, 'utf8');
    expect(new PayloadVerifier({ trusted: caBundle() }).verify(signed)).toMatchObject({ signed: true, nonce: 'enveloped-1' });
    expect(() => new PayloadVerifier({ trusted: caBundle() }).verify(signed.replace('ven-1', 'ven-2'))).toThrow(/the document does not match/);
  });

  test.each([
    ['rsa-2048', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'],
    ['ec-p256', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'],
    ['ec-p256', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', 'http://www.w3.org/2001/10/xml-exc-c14n#', 'distributeEvent'],
    ['ec-p256', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315', 'awkward payload'],
  ] as const)('we verify a %s signature made by xmlsec1 --sign from a template (%s, %s)', (keyAlgorithm, method, c14n, kind = 'distributeEvent') => {
    const f = files(keyAlgorithm);
    const nonce = `xmlsec-${keyAlgorithm}-${c14n.length}`;
    const signature =
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig">` +
      `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${c14n}"/><ds:SignatureMethod Algorithm="${method}"/>` +
      `<ds:Reference URI="#signedObject"><ds:Transforms><ds:Transform Algorithm="${c14n}"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>` +
      `<ds:Reference URI="#props"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>` +
      `</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo>` +
      `<ds:Object><ds:SignatureProperties><ds:SignatureProperty Id="props" Target="#sig"><dsp:ReplayProtect xmlns:dsp="http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties">` +
      `<dsp:timestamp>${new Date().toISOString()}</dsp:timestamp><dsp:nonce>${nonce}</dsp:nonce></dsp:ReplayProtect></ds:SignatureProperty></ds:SignatureProperties></ds:Object></ds:Signature>`;
    const payload =
      kind === 'awkward payload'
        ? AWKWARD.replace('<p:oadrSignedObject>', `${signature}\n  <p:oadrSignedObject p:Id="signedObject">`)
        : distributeEvent96().replace('<oadr:oadrSignedObject>', `${signature}\n  <oadr:oadrSignedObject oadr:Id="signedObject">`);
    const templatePath = join(dir, `template-${keyAlgorithm}.xml`);
    const outPath = join(dir, `theirs-${keyAlgorithm}.xml`);
    writeFileSync(templatePath, payload);
    const run = spawnSync('xmlsec1', ['--sign', ...ID_ATTR, '--privkey-pem', `${f.key},${f.cert}`, '--output', outPath, templatePath], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const signed = readFileSync(outPath, 'utf8');
    const result = new PayloadVerifier({ trusted: caBundle() }).verify(signed, { expectedFingerprint: venFingerprint(f.pair.certificatePem) });
    expect(result).toMatchObject({ signed: true, nonce, signatureAlgorithm: method });
    const tampered = signed.replace(/ven(-1| &amp;)/, 'ven-2');
    expect(tampered).not.toBe(signed);
    expect(() => new PayloadVerifier({ trusted: caBundle() }).verify(tampered)).toThrow(/does not match/);
  });
});
