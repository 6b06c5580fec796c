// A Vitest reporter for CI: counts tests per project (pglite, postgres,
// redis…), writes them to .ci/counts.json for .ci/run to check, and prints
// the closing "N passed, N failed, N skipped" line.
import { writeFileSync } from 'node:fs';

export default class ProjectCounts {
  onTestRunEnd(testModules) {
    const counts = {};
    for (const testModule of testModules) {
      const name = testModule.project.name || 'default';
      counts[name] ??= { passed: 0, failed: 0, skipped: 0 };
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts[name].passed += 1;
        else if (state === 'failed') counts[name].failed += 1;
        else counts[name].skipped += 1;
      }
    }
    writeFileSync(new URL('./counts.json', import.meta.url), JSON.stringify(counts, null, 2));
    const total = { passed: 0, failed: 0, skipped: 0 };
    console.log('\nTests per project:');
    for (const [name, count] of Object.entries(counts)) {
      console.log(`  ${name}: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
      for (const key of Object.keys(total)) total[key] += count[key];
    }
    console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  }
}
