import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import {
  cosignCheckpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
import { hashLeaf } from './hash.js';
import { formatVerifierKey, generateNoteKeyPair, parseSignerKey, parseVerifierKey } from './note-keys.js';
import { parseNote, signNote, verifyNote } from './signed-note.js';
import { FIXTURES_DIR, readFixture } from './test-support.js';

const goNote = readFixture('notes/go-sumdb-peterneumann.note.txt');
const goVerifierKey = readFixture('notes/go-sumdb-peterneumann.vkey.txt');
const goSignerKey = readFixture('notes/go-sumdb-peterneumann.skey.txt');
const rootHash = hashLeaf(new Uint8Array([1, 2, 3]));
const ORIGIN = 'shop.example/ledger';

function mustVerifier(key: string) {
  const result = parseVerifierKey(key);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('signed notes', () => {
  it('signs and verifies the Go sumdb example byte for byte', () => {
    const signer = parseSignerKey(goSignerKey);
    expect(formatVerifierKey(signer)).toBe(goVerifierKey.trim());
    const text = goNote.slice(0, goNote.lastIndexOf('\n\n') + 1);
    expect(signNote(text, [signer])).toBe(goNote);
    const verified = verifyNote(goNote, [mustVerifier(goVerifierKey)]);
    expect(verified).toEqual({
      ok: true,
      value: { text, verified: [{ name: 'PeterNeumann', keyId: 0xc74f20a3, type: 'ed25519' }] },
    });
  });

  it.each(readdirSync(join(FIXTURES_DIR, 'notes/malformed')))('rejects the malformed note %s', (file) => {
    const result = parseNote(readFixture(`notes/malformed/${file}`));
    expect(result.ok).toBe(false);
  });

  it('rejects notes without a known signature or with a failing one', () => {
    const other = generateNoteKeyPair('PeterNeumann');
    expect(verifyNote(goNote, [mustVerifier(other.verifierKey)])).toMatchObject({
      ok: false,
      reason: /no signature .* known key/,
    });
    const tampered = goNote.replace('cryptography', 'cryptographY');
    expect(verifyNote(tampered, [mustVerifier(goVerifierKey)])).toMatchObject({
      ok: false,
      reason: /failing signature/,
    });
    expect(verifyNote(new Uint8Array([0xff, 0xfe, 0x0a]), [])).toMatchObject({ ok: false, reason: /UTF-8/ });
    expect(verifyNote(42, [])).toMatchObject({ ok: false });
  });

  it('rejects malformed verifier keys with a reason', () => {
    for (const bad of [
      '',
      'PeterNeumann',
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T',
      42,
    ]) {
      expect(parseVerifierKey(bad).ok, String(bad)).toBe(false);
    }
    expect(() => parseSignerKey('PRIVATE+KEY+x+00000000+AAAA')).toThrow(/signer key/);
  });
});

describe('checkpoints', () => {
  const log = generateNoteKeyPair(ORIGIN);
  const logSigner = parseSignerKey(log.signerKey);
  const witness = generateNoteKeyPair('witness.example/w1', 'cosignature/v1');
  const witnessSigner = parseSignerKey(witness.signerKey, { clock: new ManualClock(1_679_315_147_000) });

  it('formats and parses the C2SP body', () => {
    const body = formatCheckpoint({ origin: ORIGIN, treeSize: 20852163, rootHash, extensions: ['note one'] });
    expect(body).toBe(`${ORIGIN}\n20852163\n${Buffer.from(rootHash).toString('base64')}\nnote one\n`);
    expect(parseCheckpoint(body)).toEqual({
      ok: true,
      value: { origin: ORIGIN, treeSize: 20852163, rootHash, extensions: ['note one'] },
    });
  });

  it.each([
    ['two lines', `${ORIGIN}\n5\n`],
    ['leading zero', `${ORIGIN}\n05\n${Buffer.from(rootHash).toString('base64')}\n`],
    ['negative size', `${ORIGIN}\n-5\n${Buffer.from(rootHash).toString('base64')}\n`],
    ['huge size', `${ORIGIN}\n99999999999999999999\n${Buffer.from(rootHash).toString('base64')}\n`],
    ['short root', `${ORIGIN}\n5\nAAAA\n`],
    ['empty extension', `${ORIGIN}\n5\n${Buffer.from(rootHash).toString('base64')}\n\nx\n`],
    ['empty origin', `\n5\n${Buffer.from(rootHash).toString('base64')}\n`],
  ])('rejects a body with %s', (_why, body) => {
    expect(parseCheckpoint(body).ok).toBe(false);
  });

  it('verifies a log-signed, witness-cosigned checkpoint with only the public keys', () => {
    const note = signCheckpoint({ origin: ORIGIN, treeSize: 8, rootHash }, logSigner);
    const cosigned = cosignCheckpoint(note, witnessSigner);
    if (!cosigned.ok) throw new Error(cosigned.reason);
    const result = verifyCheckpoint(cosigned.value, {
      logKey: log.verifierKey,
      witnessKeys: [witness.verifierKey],
      minCosignatures: 1,
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        checkpoint: { origin: ORIGIN, treeSize: 8, rootHash },
        cosignatures: [
          { name: 'witness.example/w1', type: 'cosignature/v1', timestampSeconds: 1_679_315_147 },
        ],
      },
    });
    // Without the witness key, the cosignature is an unknown signature and is ignored.
    expect(verifyCheckpoint(cosigned.value, { logKey: log.verifierKey })).toMatchObject({
      ok: true,
      value: { cosignatures: [] },
    });
  });

  it('rejects a forged body, a wrong origin, a missing quorum and a bad cosignature', () => {
    const note = signCheckpoint({ origin: ORIGIN, treeSize: 8, rootHash }, logSigner);
    const forged = note.replace('\n8\n', '\n9\n');
    expect(verifyCheckpoint(forged, { logKey: log.verifierKey })).toMatchObject({ ok: false });
    expect(verifyCheckpoint(note, { logKey: log.verifierKey, origin: 'other.example/log' })).toMatchObject({
      ok: false,
      reason: /origin/,
    });
    expect(
      verifyCheckpoint(note, {
        logKey: log.verifierKey,
        witnessKeys: [witness.verifierKey],
        minCosignatures: 1,
      }),
    ).toMatchObject({
      ok: false,
      reason: /0 witness cosignatures/,
    });
    const witnessOnly = verifyCheckpoint(note, { logKey: witness.verifierKey, origin: ORIGIN });
    expect(witnessOnly).toMatchObject({ ok: false });
    // A cosignature over another checkpoint pasted under this one fails and sinks the note.
    const other = cosignCheckpoint(
      signCheckpoint({ origin: ORIGIN, treeSize: 9, rootHash }, logSigner),
      witnessSigner,
    );
    if (!other.ok) throw new Error(other.reason);
    const pasted =
      note +
      other.value
        .split('\n')
        .filter((line) => line.startsWith('\u2014 witness'))
        .join('\n') +
      '\n';
    expect(
      verifyCheckpoint(pasted, { logKey: log.verifierKey, witnessKeys: [witness.verifierKey] }),
    ).toMatchObject({
      ok: false,
      reason: /bad cosignature/,
    });
    expect(verifyCheckpoint(note, { logKey: 'not a key' })).toMatchObject({
      ok: false,
      reason: /log key is invalid/,
    });
  });
});
