// Prints Spectral's JSON report (spectral lint --format json) briefly: every error on one
// line (file:line, rule, message, where), then the warnings counted by rule. Exits 1 when
// there is an error, or when the report is not one (Spectral failed before linting).
// Usage: node scripts/spectral-summary.js REPORT.json
"use strict";
const fs = require("fs");
const path = require("path");

const SEVERITY = ["error", "warning", "info", "hint"];
let results;
try {
  results = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  if (!Array.isArray(results)) throw new Error("not an array of results");
} catch (e) {
  console.log(`spectral: no report (${e.message}); see its messages above`);
  process.exit(1);
}

const where = (r) => `${path.relative(process.cwd(), r.source || "?")}:${r.range ? r.range.start.line + 1 : "?"}`;
const errors = results.filter((r) => r.severity === 0);
for (const r of errors) console.log(`${where(r)}  ${r.code}  ${r.message}  (${r.path.join(".")})`);

const byRule = new Map();
for (const r of results.filter((r) => r.severity > 0)) {
  const key = `${SEVERITY[r.severity]} ${r.code}`;
  byRule.set(key, (byRule.get(key) || 0) + 1);
}
for (const [key, n] of [...byRule].sort()) console.log(`${String(n).padStart(5)}  ${key}`);

const warnings = results.length - errors.length;
console.log(`spectral: ${errors.length} error(s), ${warnings} warning(s) or notice(s)`);
process.exit(errors.length ? 1 : 0);
