// The codeintel extension: a thin client of `codeintel serve` (the language server does
// all the work). It starts the server, passes the `codeintel.*` settings to it, and adds
// palette commands that run the server's commands on the function at the cursor.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
  WorkspaceEdit,
} from "vscode-languageclient/node";

const SECTION = "codeintel";
// The client's own settings, not sent to the server.
const CLIENT_ONLY = new Set(["serverPath", "serverArgs", "trace"]);
// Palette command -> the server's command. Each runs on the function at the cursor.
const EDITOR_COMMANDS: ReadonlyArray<[string, string]> = [
  ["codeintel.editor.fixFunction", "codeintel.fixFunction"],
  ["codeintel.editor.generateTests", "codeintel.generateTests"],
  ["codeintel.editor.generateDocstring", "codeintel.generateDocstring"],
  ["codeintel.editor.completeBody", "codeintel.completeBody"],
  ["codeintel.editor.runTests", "codeintel.runTests"],
];

// What every server command answers (codeintel/lsp/server.py: outcome).
interface Outcome {
  status: string; // applied, proposed, unchanged, dropped, cancelled, failed, done
  message: string;
  edit?: WorkspaceEdit | null;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = new LanguageClient("codeintel", "codeintel", await serverOptions(), clientOptions());
  for (const [editorCommand, serverCommand] of EDITOR_COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(editorCommand, () => runAtCursor(serverCommand)),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand("codeintel.editor.restartServer", () => client?.restart()),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

// `codeintel.serverPath` with `codeintel.serverArgs`, else `python -m codeintel` with them,
// where python is the active environment's interpreter.
async function serverOptions(): Promise<ServerOptions> {
  const settings = vscode.workspace.getConfiguration(SECTION);
  const args = settings.get<string[]>("serverArgs", ["serve"]);
  const path = settings.get<string>("serverPath", "").trim();
  if (path) {
    return { command: path, args, transport: TransportKind.stdio };
  }
  const python = await activePython();
  return { command: python, args: ["-m", "codeintel", ...args], transport: TransportKind.stdio };
}

// The Python extension's active interpreter, else python.defaultInterpreterPath, else python3.
async function activePython(): Promise<string> {
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (extension) {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api?.environments?.getActiveEnvironmentPath?.();
    if (typeof active?.path === "string" && active.path) {
      return active.path;
    }
  }
  const configured = vscode.workspace.getConfiguration("python").get<string>("defaultInterpreterPath");
  if (configured && configured !== "python") {
    return configured;
  }
  return process.platform === "win32" ? "python" : "python3";
}

function clientOptions(): LanguageClientOptions {
  return {
    documentSelector: [{ scheme: "file", language: "python" }],
    synchronize: { configurationSection: SECTION },
    initializationOptions: serverSettings(),
    outputChannelName: "codeintel",
    middleware: {
      // Every server command, from a code action or the palette: an edit the server
      // only proposed (codeintel.applyEdits off, or no applyEdit support) is offered.
      executeCommand: async (command, args, next) => {
        const answer = await next(command, args);
        await offer(answer as Outcome | undefined);
        return answer;
      },
    },
  };
}

// The `codeintel` settings the server reads (codeintel/lsp/settings.py).
function serverSettings(): Record<string, unknown> {
  const settings = vscode.workspace.getConfiguration(SECTION);
  const sent: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) {
    const value = settings.get(key);
    if (!CLIENT_ONLY.has(key) && typeof value !== "function") {
      sent[key] = value;
    }
  }
  return sent;
}

async function runAtCursor(serverCommand: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== "python") {
    vscode.window.showWarningMessage("codeintel: open a Python file first");
    return;
  }
  const uri = client.code2ProtocolConverter.asUri(editor.document.uri);
  const line = editor.selection.active.line;
  const argument = serverCommand === "codeintel.runTests" ? { uri } : { uri, line };
  await vscode.commands.executeCommand(serverCommand, argument);
}

async function offer(answer: Outcome | undefined): Promise<void> {
  if (!client || answer?.status !== "proposed" || !answer.edit) {
    return; // the server has shown what happened
  }
  const choice = await vscode.window.showInformationMessage(`codeintel: ${answer.message}`, "Apply");
  if (choice === "Apply") {
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(answer.edit);
    await vscode.workspace.applyEdit(edit);
  }
}
