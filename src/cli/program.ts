/**
 * The `ensuresec` command line: noun then verb (`decisions add`, `token revoke`), one file
 * per verb under commands/. Commands that change state talk to a running server through
 * the API client; `start` and `demo` run one.
 */
import { Command } from 'commander';
import { VERSION } from '../server/version.js';
import { register as registerStart } from './commands/start.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerConfigCheck } from './commands/config/check.js';
import { register as registerUserAdd } from './commands/user/add.js';
import { register as registerUserList } from './commands/user/list.js';
import { register as registerTokenCreate } from './commands/token/create.js';
import { register as registerTokenList } from './commands/token/list.js';
import { register as registerTokenRevoke } from './commands/token/revoke.js';
import { register as registerDecisionsAdd } from './commands/decisions/add.js';
import { register as registerDecisionsList } from './commands/decisions/list.js';
import { register as registerDecisionsDelete } from './commands/decisions/delete.js';
import { register as registerIngest } from './commands/ingest.js';
import { register as registerScan } from './commands/scan.js';
import { register as registerSbom } from './commands/sbom.js';
import { register as registerCertKeygen } from './commands/cert/keygen.js';
import { register as registerCertVerify } from './commands/cert/verify.js';
import { register as registerCertToken } from './commands/cert/token.js';
import { register as registerCertRegister } from './commands/cert/register.js';
import { register as registerCertRevoke } from './commands/cert/revoke.js';
import { register as registerModeList } from './commands/mode/list.js';
import { register as registerModeEnable } from './commands/mode/enable.js';
import { register as registerModeDisable } from './commands/mode/disable.js';
import { register as registerNoticesList } from './commands/notices/list.js';
import { register as registerNoticesRetry } from './commands/notices/retry.js';
import { register as registerPlaybooksApprove } from './commands/playbooks/approve.js';
import { register as registerPlaybooksCheck } from './commands/playbooks/check.js';
import { register as registerPlaybooksList } from './commands/playbooks/list.js';
import { register as registerPlaybooksReject } from './commands/playbooks/reject.js';
import { register as registerPlaybooksRuns } from './commands/playbooks/runs.js';
import { register as registerPlaybooksShow } from './commands/playbooks/show.js';
import { register as registerAlertsList } from './commands/alerts/list.js';
import { register as registerIncidentsList } from './commands/incidents/list.js';
import { register as registerIncidentsShow } from './commands/incidents/show.js';
import { register as registerIncidentsAssess } from './commands/incidents/assess.js';
import { register as registerIncidentsReport } from './commands/incidents/report.js';
import { register as registerIncidentsReports } from './commands/incidents/reports.js';
import { register as registerIncidentsSubmit } from './commands/incidents/submit.js';
import { register as registerIncidentsCommunicate } from './commands/incidents/communicate.js';
import { register as registerIncidentsDeadlines } from './commands/incidents/deadlines.js';
import { register as registerNis2Measures } from './commands/nis2/measures.js';
import { register as registerNis2Assess } from './commands/nis2/assess.js';
import { register as registerIncidentsOpen } from './commands/incidents/open.js';
import { register as registerLedgerVerify } from './commands/ledger/verify.js';
import { register as registerLedgerCheckpoint } from './commands/ledger/checkpoint.js';
import { register as registerLedgerProofInclusion } from './commands/ledger/proof/inclusion.js';
import { register as registerLedgerProofConsistency } from './commands/ledger/proof/consistency.js';
import { register as registerLedgerVerifyProof } from './commands/ledger/verify-proof.js';
import { register as registerLedgerWitness } from './commands/ledger/witness.js';
import { register as registerLedgerWitnessKeygen } from './commands/ledger/witness-keygen.js';
import { register as registerWafPatchesAccept } from './commands/waf/patches/accept.js';
import { register as registerWafPatchesList } from './commands/waf/patches/list.js';
import { register as registerWafPatchesRemove } from './commands/waf/patches/remove.js';

export function buildProgram(): Command {
  const program = new Command('ensuresec')
    .description('Ensuresec: end-to-end security for online shops')
    .version(VERSION)
    .option(
      '--data-dir <dir>',
      'where state is kept (default: $ENSURESEC_DATA_DIR, dataDir in ensuresec.yaml, ./.ensuresec)',
    )
    .option('--config <file>', 'configuration file (default: ./ensuresec.yaml when present)')
    .option('--url <url>', 'API of a running server (default: the one recorded in the data directory)')
    .option('--json', 'print results as JSON')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true, showGlobalOptions: true });

  registerStart(program);
  registerDemo(program);
  registerStatus(program);

  const config = program.command('config').description('check the configuration');
  registerConfigCheck(config);

  const user = program.command('user').description('manage users of the Ensuresec API and dashboard');
  registerUserAdd(user);
  registerUserList(user);

  const token = program.command('token').description('manage API tokens');
  registerTokenCreate(token);
  registerTokenList(token);
  registerTokenRevoke(token);

  const decisions = program.command('decisions').description('ban, throttle, challenge or allow clients');
  registerDecisionsAdd(decisions);
  registerDecisionsList(decisions);
  registerDecisionsDelete(decisions);

  const mode = program.command('mode').description('switch the shop into and out of fail-safe modes');
  registerModeList(mode);
  registerModeEnable(mode);
  registerModeDisable(mode);

  const notices = program
    .command('notices')
    .description('notices to customers and partners, and their delivery');
  registerNoticesList(notices);
  registerNoticesRetry(notices);

  const playbooks = program
    .command('playbooks')
    .description('playbooks: what runs on alerts, their runs, approvals and offline checks');
  registerPlaybooksList(playbooks);
  registerPlaybooksRuns(playbooks);
  registerPlaybooksShow(playbooks);
  registerPlaybooksApprove(playbooks);
  registerPlaybooksReject(playbooks);
  registerPlaybooksCheck(playbooks);

  registerIngest(program);
  registerScan(program);
  registerSbom(program);
  const cert = program.command('cert').description('scan certificates: signing keys and verification');
  registerCertKeygen(cert);
  registerCertVerify(cert);
  registerCertToken(cert);
  registerCertRegister(cert);
  registerCertRevoke(cert);
  const alerts = program.command('alerts').description('what the detectors concluded');
  registerAlertsList(alerts);

  const incidents = program
    .command('incidents')
    .alias('incident')
    .description('incident cases, their significance and deadlines');
  registerIncidentsOpen(incidents);
  registerIncidentsList(incidents);
  registerIncidentsShow(incidents);
  registerIncidentsAssess(incidents);
  registerIncidentsReport(incidents);
  registerIncidentsReports(incidents);
  registerIncidentsSubmit(incidents);
  registerIncidentsCommunicate(incidents);
  registerIncidentsDeadlines(incidents);
  const nis2 = program
    .command('nis2')
    .description('NIS2 without a case: assess an incident description offline, the Art. 21 measures');
  registerNis2Assess(nis2);
  registerNis2Measures(nis2);

  const wafPatches = program
    .command('waf')
    .description('the gateway WAF')
    .command('patches')
    .description('virtual patches from scans, loaded into the running gateway');
  registerWafPatchesAccept(wafPatches);
  registerWafPatchesList(wafPatches);
  registerWafPatchesRemove(wafPatches);
  const ledger = program.command('ledger').description('the tamper-evident audit ledger');
  registerLedgerVerify(ledger);
  registerLedgerCheckpoint(ledger);
  registerLedgerVerifyProof(ledger);
  registerLedgerWitness(ledger);
  registerLedgerWitnessKeygen(ledger);
  const proof = ledger.command('proof').description('inclusion and consistency proofs of the ledger');
  registerLedgerProofInclusion(proof);
  registerLedgerProofConsistency(proof);
  return program;
}
