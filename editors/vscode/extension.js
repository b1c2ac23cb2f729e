// The VS Code side of pol: starts `pol lsp` and connects VS Code to it. Everything a
// policy author sees (diagnostics, hover, completion, ...) comes from the server; this
// file only finds the executable and restarts it when asked or when the setting changes.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('pol');
  const command = config.get('server.path') || 'pol';
  const args = [...(config.get('server.extraArgs') || []), 'lsp'];
  return { command, args, transport: TransportKind.stdio };
}

async function start(context) {
  client = new LanguageClient(
    'pol',
    'pol',
    serverOptions(),
    // The server asks VS Code to watch `.pol` files and `pol.toml` itself.
    { documentSelector: [{ scheme: 'file', language: 'pol' }] },
  );
  try {
    await client.start();
  } catch (err) {
    const path = serverOptions().command;
    vscode.window.showErrorMessage(
      `pol: cannot start the language server with \`${path} lsp\` (${err}). ` +
        'Install pol (`cargo install --path crates/pol-cli`) or set `pol.server.path`.',
    );
  }
  context.subscriptions.push(client);
}

async function restart(context) {
  if (client) {
    await client.stop().catch(() => {});
    client = undefined;
  }
  await start(context);
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('pol.restartServer', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('pol.server')) {
        restart(context);
      }
    }),
  );
  await start(context);
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
