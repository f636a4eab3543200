/**
 * The NIS2 Art. 21(2) minimum measures, (a) to (j) (regulation, no I/O), in our paraphrase
 * (shared reference, section 1), and which of them Ensuresec holds evidence for. For online
 * marketplaces and the other digital providers of Regulation (EU) 2024/2690, its Annex turns
 * them into detailed requirements.
 */
import type { MeasureId } from '../profile.js';

export interface MeasureDefinition {
  id: MeasureId;
  title: string;
  reference: string;
  /** What Ensuresec can show from its own records; absent: only a declaration can. */
  evidenceFrom?: string;
}

const ref = (id: MeasureId) => `Directive (EU) 2022/2555 Art. 21(2)(${id})`;

export const MEASURES: readonly MeasureDefinition[] = [
  { id: 'a', title: 'Risk-analysis and information-system security policies', reference: ref('a') },
  {
    id: 'b',
    title: 'Incident handling (prevent, detect, analyse, respond)',
    reference: ref('b'),
    evidenceFrom: 'incident cases, their handling times and report deadlines',
  },
  {
    id: 'c',
    title: 'Business continuity: backup management, disaster recovery, crisis management',
    reference: ref('c'),
  },
  {
    id: 'd',
    title: 'Supply-chain security, incl. the relationship with each direct supplier or service provider',
    reference: ref('d'),
  },
  {
    id: 'e',
    title:
      'Security in acquisition, development and maintenance, incl. vulnerability handling and disclosure',
    reference: ref('e'),
    evidenceFrom: 'scan findings: the latest, and those still open',
  },
  {
    id: 'f',
    title: 'Policies and procedures to assess whether the measures are effective',
    reference: ref('f'),
  },
  { id: 'g', title: 'Basic cyber hygiene and cybersecurity training', reference: ref('g') },
  {
    id: 'h',
    title: 'Policies on cryptography and, where appropriate, encryption',
    reference: ref('h'),
    evidenceFrom: 'TLS and cryptography findings',
  },
  { id: 'i', title: 'HR security, access-control policies, asset management', reference: ref('i') },
  {
    id: 'j',
    title: 'Multi-factor or continuous authentication; secured communications where appropriate',
    reference: ref('j'),
    evidenceFrom: "whether Ensuresec's administrators use and must use a second factor",
  },
];
