// Prints `N passed, N failed, N skipped` as the very last stdout line. A test file that fails to
// import (or throws outside a test) counts as one failure: WTR's own summary does not count it.
function walk(suite, acc) {
  if (!suite) return acc;
  for (const t of suite.tests ?? []) {
    if (t.skipped) acc.skipped++;
    else if (t.passed) acc.passed++;
    else acc.failed++;
  }
  for (const s of suite.suites ?? []) walk(s, acc);
  return acc;
}

export function countReporter() {
  return {
    onTestRunFinished({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0 };
      for (const s of sessions) {
        walk(s.testResults, acc);
        if (!s.passed && (s.errors?.length ?? 0) > 0) acc.failed++;
      }
      this.line = `${acc.passed} passed, ${acc.failed} failed, ${acc.skipped} skipped`;
    },
    start() {
      // The CLI flushes its own summary after reporter.stop(), so print at exit to be last.
      process.on('exit', () => {
        if (this.line) process.stdout.write(`${this.line}\n`);
      });
    },
  };
}
