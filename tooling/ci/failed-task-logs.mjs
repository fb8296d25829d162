// After a failed `npm test`: print the end of each failed turbo task's log last, so the reason a task failed
// is in the tail of CI's output (turbo streams ~65 tasks interleaved, and a CI view may keep only the end).
// Reads the newest run summary (.turbo/runs/*.json, written because .ci/run sets TURBO_RUN_SUMMARY).
// Plain .mjs: it runs on whatever node the machine has.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LINES = 150;
const root = join(import.meta.dirname, '..', '..');
const runs = join(root, '.turbo', 'runs');

let files = [];
try {
  files = readdirSync(runs).filter((name) => name.endsWith('.json'));
} catch {
  console.error('failed-task-logs: no run summary in .turbo/runs');
  process.exit(0);
}
const newest = files
  .map((name) => join(runs, name))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!newest) process.exit(0);

const summary = JSON.parse(readFileSync(newest, 'utf8'));
const failed = summary.tasks.filter((task) => task.execution && task.execution.exitCode !== 0);
for (const task of failed) {
  let text = '';
  try {
    text = readFileSync(join(root, task.logFile), 'utf8');
  } catch {
    text = `(no log at ${task.logFile})`;
  }
  const tail = text.split('\n').slice(-LINES).join('\n');
  console.error(`\n===== ${task.taskId} failed (exit ${task.execution.exitCode}): last ${LINES} lines =====`);
  console.error(tail);
}
