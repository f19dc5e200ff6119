import { checkEnvironment } from '../e2e/support/environment';
import { benchContentHash } from './content-hash.bench';
import { benchCacheFrom, benchWorkspace } from './images.bench';
import { benchPromotion } from './promote.bench';
import { benchPromoteMany } from './promote-many.bench';
import { benchInfraModes } from './infra.bench';
import { benchInference } from './inference.bench';
import { benchNarrowing } from './narrowing.bench';
import { benchUploadMemory, uploadChild } from './upload-memory.bench';
import { benchRegistryBuilder } from './registry-builder.bench';
import { benchScale } from './scale.bench';
import { benchPeers } from './peers.bench';
import { benchNothingChanged } from './nothing-changed.bench';
import { benchSamplePlain } from './sample-plain.bench';
import { benchPrune } from './prune.bench';
import { printTable, Row } from './support';

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only === 'upload-child') return uploadChild(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
  const rows: Row[] = [];
  if (!only || only === 'hash') rows.push(...(await benchContentHash()));
  if (!only || only === 'inference') rows.push(...(await benchInference(Number(process.argv[3]) || 200)));
  if (!only || only === 'narrowing') rows.push(...(await benchNarrowing()));
  if (!only || !['hash', 'inference', 'narrowing'].includes(only)) {
    const environment = await checkEnvironment();
    if (!environment.available) throw new Error(`engine/registry needed: ${environment.reason}`);
    if (!only || only === 'workspace') rows.push(...(await benchWorkspace()));
    if (!only || only === 'cache') rows.push(...(await benchCacheFrom()));
    if (!only || only === 'promote') rows.push(...(await benchPromotion()));
    if (!only || only === 'promote-many') rows.push(...(await benchPromoteMany()));
    if (!only || only === 'infra') rows.push(...(await benchInfraModes()));
    if (!only || only === 'upload') rows.push(...(await benchUploadMemory()));
    if (!only || only === 'registry-builder') rows.push(...(await benchRegistryBuilder()));
    if (!only || only === 'scale') rows.push(...(await benchScale(Number(process.argv[3]) || 50)));
    if (!only || only === 'sample-plain') rows.push(...(await benchSamplePlain()));
    if (only === 'nothing-changed') rows.push(...(await benchNothingChanged(Number(process.argv[3]) || 50)));
    if (!only || only === 'peers') rows.push(...(await benchPeers(Number(process.argv[3]) || 50)));
    if (!only || only === 'prune') rows.push(...(await benchPrune(Number(process.argv[3]) || 30)));
  }
  printTable(rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
