// Tokenizes .pol files with the extension's TextMate grammar, as VS Code does, and fails
// if any text other than blanks is left without a scope of its own (only `source.pol`):
// such text would show uncoloured, and usually means the grammar missed a construct.
//
// Usage: node test/tokenize.js FILE...   (run by `cargo test -p pol-lsp --test it grammar::`)
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const grammarPath = path.join(__dirname, '..', 'syntaxes', 'pol.tmLanguage.json');
const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));

const registry = new vsctm.Registry({
  onigLib: oniguruma.loadWASM(wasm.buffer).then(() => ({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  })),
  loadGrammar: async (scopeName) =>
    scopeName === 'source.pol'
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
      : null,
});

async function main(files) {
  const grammar = await registry.loadGrammar('source.pol');
  if (!grammar) {
    throw new Error(`cannot load ${grammarPath}`);
  }
  let problems = 0;
  let tokens = 0;
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    let state = vsctm.INITIAL;
    lines.forEach((line, i) => {
      const result = grammar.tokenizeLine(line, state);
      for (const t of result.tokens) {
        tokens += 1;
        const text = line.slice(t.startIndex, t.endIndex);
        if (t.scopes.length === 1 && text.trim() !== '') {
          problems += 1;
          console.log(`${file}:${i + 1}:${t.startIndex + 1}: no scope for ${JSON.stringify(text)}`);
        }
      }
      state = result.ruleStack;
    });
  }
  console.log(`${files.length} files, ${tokens} tokens, ${problems} without a scope`);
  return problems === 0 && files.length > 0;
}

main(process.argv.slice(2)).then(
  (ok) => process.exit(ok ? 0 : 1),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
