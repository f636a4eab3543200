/**
 * Ledger: the latest signed checkpoint with every signature checked in the browser (the log's
 * key and the witnesses' cosignatures), the verifier keys to compare with the ones given out of
 * band, the signed checkpoints, and "verify a record's inclusion": from a record id or an entry
 * index, the inclusion proof is fetched and recomputed here with WebCrypto SHA-256 (RFC 9162)
 * up to the checkpoint's root. Open to the partner role, which the ledger is meant for.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, query, type Checkpoint, type InclusionProof, type Page, type Role } from '../api';
import { formatTime } from '../format';
import { errorText } from '../hooks';
import {
  checkSignatures,
  parseNote,
  toBase64,
  verifyInclusion,
  type InclusionResult,
  type ParsedNote,
  type SignatureCheck,
} from '../ledger-verify';
import { DataTable, ErrorLine } from '../parts';

interface Latest {
  note: ParsedNote;
  checks: SignatureCheck[];
  keys: { log: string[]; witnesses: string[] };
}

async function loadLatest(): Promise<Latest | null> {
  const response = await fetch('/api/v1/ledger/checkpoint', { credentials: 'same-origin' });
  if (response.status === 404 || response.status === 409) return null;
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { detail?: string } } | null;
    if (body?.error?.detail?.includes('no checkpoint')) return null;
    throw new Error(body?.error?.detail ?? `HTTP ${response.status}`);
  }
  const note = parseNote(await response.text());
  const keys = await api<{ log: string[]; witnesses: string[] }>('GET', '/ledger/keys');
  return { note, keys, checks: await checkSignatures(note, keys.log, keys.witnesses) };
}

export function LedgerPage({ role }: { role: Role }) {
  const [latest, setLatest] = useState<Latest | null | undefined>(undefined);
  const [checkpoints, setCheckpoints] = useState<Checkpoint[]>([]);
  const [error, setError] = useState('');
  const [signing, setSigning] = useState('');

  const reload = useCallback(() => {
    Promise.all([loadLatest(), api<Page<Checkpoint>>('GET', '/ledger/checkpoints?limit=100')])
      .then(([next, list]) => {
        setLatest(next);
        setCheckpoints([...list.items].reverse());
        setError('');
      })
      .catch((caught: unknown) => setError(errorText(caught)));
  }, []);
  useEffect(reload, [reload]);

  async function signNow() {
    try {
      const checkpoint = await api<Checkpoint>('POST', '/ledger/checkpoints');
      setSigning(`Signed a checkpoint of ${checkpoint.treeSize} entries.`);
      reload();
    } catch (caught) {
      setSigning(`Not signed: ${errorText(caught)}`);
    }
  }

  return (
    <section aria-labelledby="ledger-title">
      <h1 id="ledger-title">Ledger</h1>
      <p className="muted">
        Every security-relevant record is an entry of an append-only Merkle log. Check it here without
        trusting this server: signatures and proofs are recomputed in your browser.
      </p>
      <ErrorLine error={error} />
      <div className="grid">
        <article className="card wide" aria-labelledby="latest-title">
          <h2 id="latest-title">Latest signed checkpoint</h2>
          {latest === undefined ? (
            <p className="muted">Loading…</p>
          ) : latest === null ? (
            <p>No checkpoint signed yet.</p>
          ) : (
            <LatestCheckpoint latest={latest} />
          )}
          {role === 'admin' && (
            <p className="pager">
              <button type="button" className="secondary" onClick={() => void signNow()}>
                Sign a checkpoint now
              </button>
              <span role="status">{signing}</span>
            </p>
          )}
        </article>
        <InclusionCard latest={latest ?? null} />
        <article className="card" aria-labelledby="history-title">
          <h2 id="history-title">Checkpoints</h2>
          {checkpoints.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <DataTable compact columns={['Entries', 'Signed', 'Witnesses']}>
              {checkpoints.map((checkpoint) => (
                <tr key={checkpoint.treeSize}>
                  <td className="num">{checkpoint.treeSize}</td>
                  <td>{formatTime(checkpoint.createdAt)}</td>
                  <td className="num">{checkpoint.cosignatures}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </article>
      </div>
    </section>
  );
}

function LatestCheckpoint({ latest }: { latest: Latest }) {
  const { note, checks, keys } = latest;
  const logValid = checks.some((check) => check.role === 'log' && check.valid);
  return (
    <>
      <dl>
        <div>
          <dt>Origin</dt>
          <dd>
            <code>{note.origin}</code>
          </dd>
        </div>
        <div>
          <dt>Entries (tree size)</dt>
          <dd data-testid="ledger-size">{note.treeSize}</dd>
        </div>
        <div>
          <dt>Root hash</dt>
          <dd>
            <code>{toBase64(note.rootHash)}</code>
          </dd>
        </div>
        <div>
          <dt>Log signature</dt>
          <dd data-testid="ledger-signature" className={logValid ? 'ok' : 'error'}>
            {logValid ? '✓ valid (checked in your browser)' : '✗ not valid for the published log key'}
          </dd>
        </div>
      </dl>
      <h3>Signatures</h3>
      <ul>
        {checks.map((check) => (
          <li key={`${check.name}+${check.keyId}`}>
            <span className={check.valid ? 'ok' : 'error'}>{check.valid ? '✓' : '✗'}</span>{' '}
            {check.role === 'log' ? 'log' : check.role === 'witness' ? 'witness' : 'unknown key'}{' '}
            <code>{check.name}</code>
            {check.timestampSeconds !== undefined &&
              ` at ${formatTime(new Date(check.timestampSeconds * 1000).toISOString())}`}
          </li>
        ))}
      </ul>
      <details>
        <summary>Verifier keys and the note</summary>
        <p className="muted">Compare the log key with the one you were given (ledger-log.pub).</p>
        <ul>
          {[...keys.log, ...keys.witnesses].map((key) => (
            <li key={key}>
              <code>{key}</code>
            </li>
          ))}
        </ul>
        <pre className="note">{note.text}</pre>
      </details>
    </>
  );
}

interface InclusionOutcome {
  proof: InclusionProof;
  result: InclusionResult;
  kind?: string;
}

function InclusionCard({ latest }: { latest: Latest | null }) {
  const [outcome, setOutcome] = useState<InclusionOutcome | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!latest) return;
    const wanted = String(new FormData(event.currentTarget).get('record') ?? '').trim();
    setBusy(true);
    setError('');
    setOutcome(null);
    try {
      let index: number;
      let kind: string | undefined;
      if (/^\d+$/.test(wanted)) {
        index = Number(wanted);
      } else {
        const entries = await api<{ items: { index: number; kind: string }[] }>(
          'GET',
          `/ledger/entries${query({ recordId: wanted })}`,
        );
        const inTree = entries.items.filter((entry) => entry.index < latest.note.treeSize);
        const last = inTree[inTree.length - 1];
        if (!last) {
          throw new Error(
            entries.items.length === 0
              ? `No entry logged ${wanted}.`
              : `${wanted} was logged after the latest checkpoint; wait for the next one.`,
          );
        }
        index = last.index;
        kind = last.kind;
      }
      const proof = await api<InclusionProof>(
        'GET',
        `/ledger/proofs/inclusion${query({ index: String(index), size: String(latest.note.treeSize) })}`,
      );
      const result = await verifyInclusion(proof, latest.note.rootHash);
      setOutcome({ proof, result, ...(kind ? { kind } : {}) });
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card" aria-labelledby="inclusion-title">
      <h2 id="inclusion-title">Verify a record's inclusion</h2>
      {!latest ? (
        <p className="muted">There is no signed checkpoint to verify against yet.</p>
      ) : (
        <form onSubmit={verify}>
          <label>
            Record id or entry index
            <input name="record" required placeholder="alr_…, dec_…, inc_… or 42" />
          </label>
          <button type="submit" disabled={busy}>
            Verify inclusion
          </button>
        </form>
      )}
      <ErrorLine error={error} />
      {outcome && (
        <div role="status" data-testid="inclusion-result">
          <p className={outcome.result.valid ? 'ok' : 'error'}>
            {outcome.result.valid
              ? `✓ Entry ${outcome.proof.index} is in the log of ${outcome.proof.treeSize} entries: the proof leads to the signed root.`
              : `✗ The proof does not lead to the signed root: entry ${outcome.proof.index} is NOT proven.`}
          </p>
          <dl>
            {outcome.kind && (
              <div>
                <dt>Kind</dt>
                <dd>{outcome.kind}</dd>
              </div>
            )}
            <div>
              <dt>Leaf hash (recomputed)</dt>
              <dd>
                <code>{outcome.result.leafHash}</code>
              </dd>
            </div>
            <div>
              <dt>Proof hashes</dt>
              <dd>{outcome.proof.hashes.length}</dd>
            </div>
          </dl>
          <details>
            <summary>The entry as logged</summary>
            <pre className="note">{outcome.proof.entry}</pre>
          </details>
        </div>
      )}
    </article>
  );
}
