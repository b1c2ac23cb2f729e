//! The main loop: one message at a time, on one thread.
//!
//! Requests are answered in order; a request with unknown method gets `MethodNotFound`,
//! one whose parameters do not decode gets `InvalidParams`, and a handler that panics
//! (a bug) gets `InternalError` while the server carries on. Notifications change the
//! workspace; when no message is waiting, the sets that changed are compiled and their
//! diagnostics published, so a burst of keystrokes costs one compilation.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use crossbeam_channel::Sender;
use lsp_server::{
    Connection, ErrorCode, Message, Notification, Request, RequestId, Response, ResponseError,
};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidChangeWorkspaceFolders, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentHighlightRequest, DocumentSymbolRequest, Formatting,
    GotoDefinition, HoverRequest, InlayHintRequest, PrepareRenameRequest, References,
    RegisterCapability, Rename, Request as _, SemanticTokensFullRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, InitializeParams,
    InitializeResult, OneOf, PositionEncodingKind, PublishDiagnosticsParams, Registration,
    RegistrationParams, RenameOptions, SaveOptions, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url, WorkDoneProgressOptions,
};
use serde_json::Value;

use crate::line_index::{Encoding, LineIndex};
use crate::workspace::{Analysis, Published, Workspace};
use crate::{completion, diagnostics, edits, hints, hover, navigation, tokens};

/// Where the server is in the protocol's life cycle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `initialize`: only `initialize` and `exit` are accepted.
    Starting,
    Running,
    /// After `shutdown`: every request is refused; `exit` ends the server.
    ShuttingDown,
}

/// The server's state between messages.
pub struct Server {
    sender: Sender<Message>,
    phase: Phase,
    encoding: Encoding,
    workspace: Workspace,
    folders: Vec<PathBuf>,
    /// Whether the client can watch files for us (`workspace/didChangeWatchedFiles`).
    can_watch: bool,
    /// The project files whose problem the client is showing, and the diagnostic shown.
    shown_project_errors: Vec<(PathBuf, lsp_types::Diagnostic)>,
    next_id: i32,
}

type Answer<T> = Result<T, ResponseError>;

/// Serves one client until it sends `exit` (or goes away). Returns the process exit code
/// the protocol asks for: 0 after `shutdown`, 1 otherwise.
pub fn serve(connection: &Connection) -> i32 {
    let mut server = Server {
        sender: connection.sender.clone(),
        phase: Phase::Starting,
        encoding: Encoding::Utf16,
        workspace: Workspace::default(),
        folders: Vec::new(),
        can_watch: false,
        shown_project_errors: Vec::new(),
        next_id: 0,
    };
    for message in &connection.receiver {
        match message {
            Message::Request(req) => {
                let response = server.on_request(req);
                server.send(Message::Response(response));
            }
            Message::Notification(n) if n.method == "exit" => {
                return if server.phase == Phase::ShuttingDown { 0 } else { 1 };
            }
            Message::Notification(n) => server.on_notification(n),
            // Replies to our own requests (the file watcher registration): nothing to do.
            Message::Response(_) => {}
        }
        if connection.receiver.is_empty() && server.phase == Phase::Running {
            server.publish();
        }
    }
    1
}

impl Server {
    fn send(&self, message: Message) {
        // The client is gone only if the channel is closed; the loop then ends by itself.
        let _ = self.sender.send(message);
    }

    fn on_request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match (self.phase, req.method.as_str()) {
            (Phase::Starting, "initialize") => self.initialize(req.params),
            (Phase::Starting, _) => Err(error(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet".into(),
            )),
            (Phase::ShuttingDown, _) => {
                Err(error(ErrorCode::InvalidRequest, "the server is shutting down".into()))
            }
            (Phase::Running, "initialize") => {
                Err(error(ErrorCode::InvalidRequest, "the server is already initialized".into()))
            }
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShuttingDown;
                Ok(Value::Null)
            }
            (Phase::Running, _) => self.dispatch(req),
        };
        Response { id, response_result: result }
    }

    fn dispatch(&mut self, req: Request) -> Answer<Value> {
        match req.method.as_str() {
            HoverRequest::METHOD => self.run::<HoverRequest>(req.params, Self::hover),
            GotoDefinition::METHOD => self.run::<GotoDefinition>(req.params, Self::definition),
            References::METHOD => self.run::<References>(req.params, Self::references),
            DocumentHighlightRequest::METHOD => {
                self.run::<DocumentHighlightRequest>(req.params, Self::highlights)
            }
            InlayHintRequest::METHOD => self.run::<InlayHintRequest>(req.params, Self::inlay_hints),
            SemanticTokensFullRequest::METHOD => {
                self.run::<SemanticTokensFullRequest>(req.params, Self::semantic_tokens)
            }
            Completion::METHOD => self.run::<Completion>(req.params, Self::completion),
            Formatting::METHOD => self.run::<Formatting>(req.params, Self::formatting),
            PrepareRenameRequest::METHOD => {
                self.run::<PrepareRenameRequest>(req.params, Self::prepare_rename)
            }
            Rename::METHOD => self.run::<Rename>(req.params, Self::rename),
            CodeActionRequest::METHOD => {
                self.run::<CodeActionRequest>(req.params, Self::code_action)
            }
            DocumentSymbolRequest::METHOD => {
                self.run::<DocumentSymbolRequest>(req.params, Self::document_symbols)
            }
            WorkspaceSymbolRequest::METHOD => {
                self.run::<WorkspaceSymbolRequest>(req.params, Self::workspace_symbols)
            }
            other => Err(error(
                ErrorCode::MethodNotFound,
                format!("`{other}` is not a request this server answers"),
            )),
        }
    }

    /// Decodes the parameters of request `R`, runs its handler, and encodes the answer.
    fn run<R: lsp_types::request::Request>(
        &mut self,
        params: Value,
        handler: fn(&mut Self, R::Params) -> Answer<R::Result>,
    ) -> Answer<Value> {
        let params: R::Params = serde_json::from_value(params).map_err(|e| {
            error(ErrorCode::InvalidParams, format!("bad parameters for `{}`: {e}", R::METHOD))
        })?;
        let result = self.guarded(R::METHOD, |s| handler(s, params))?;
        serde_json::to_value(result?)
            .map_err(|e| error(ErrorCode::InternalError, format!("cannot encode the answer: {e}")))
    }

    /// Runs `f`, turning a panic (a bug) into an error and forgetting every compilation,
    /// which the panic may have left half made.
    fn guarded<T>(&mut self, what: &str, f: impl FnOnce(&mut Self) -> T) -> Answer<T> {
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(t) => Ok(t),
            Err(_) => {
                self.workspace.touch_all();
                Err(error(
                    ErrorCode::InternalError,
                    format!("internal error while handling `{what}`; this is a bug in pol"),
                ))
            }
        }
    }

    fn on_notification(&mut self, n: Notification) {
        if self.phase != Phase::Running && n.method != "initialized" {
            return;
        }
        let method = n.method.clone();
        let _ = self.guarded(&method, |s| s.notification(n));
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "initialized" => self.initialized(),
            DidOpenTextDocument::METHOD => {
                if let Some(p) = decode::<DidOpenTextDocument>(n) {
                    if let Some(path) = file_path(&p.text_document.uri) {
                        let doc = p.text_document;
                        self.workspace.open(path, doc.text, doc.version);
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(p) = decode::<DidChangeTextDocument>(n) {
                    self.change(p);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(path) =
                    decode::<DidCloseTextDocument>(n).and_then(|p| file_path(&p.text_document.uri))
                {
                    self.workspace.close(&path);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Some(path) =
                    decode::<DidSaveTextDocument>(n).and_then(|p| file_path(&p.text_document.uri))
                {
                    self.workspace.touch(&path);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Some(p) = decode::<DidChangeWatchedFiles>(n) {
                    self.files_changed(&p);
                }
            }
            DidChangeWorkspaceFolders::METHOD => {
                if let Some(p) = decode::<DidChangeWorkspaceFolders>(n) {
                    for f in &p.event.added {
                        if let Some(path) = file_path(&f.uri) {
                            self.workspace.add_folder(&path);
                        }
                    }
                }
            }
            // `$/cancelRequest`, `$/setTrace` and the like: requests are answered in
            // order and at once, so there is nothing to cancel or trace.
            _ => {}
        }
    }

    fn initialize(&mut self, params: Value) -> Answer<Value> {
        let params: InitializeParams = serde_json::from_value(params).map_err(|e| {
            error(ErrorCode::InvalidParams, format!("bad parameters for `initialize`: {e}"))
        })?;
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        self.encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        self.can_watch = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files)
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        #[allow(deprecated)] // `root_uri` is what older clients send.
        let root = params.root_uri.as_ref().and_then(file_path);
        self.folders = match &params.workspace_folders {
            Some(folders) => folders.iter().filter_map(|f| file_path(&f.uri)).collect(),
            None => root.into_iter().collect(),
        };
        self.phase = Phase::Running;
        let result = InitializeResult {
            capabilities: self.capabilities(),
            server_info: Some(ServerInfo {
                name: "pol".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        serde_json::to_value(result)
            .map_err(|e| error(ErrorCode::InternalError, format!("cannot encode the answer: {e}")))
    }

    fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities {
            position_encoding: Some(match self.encoding {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "{".into(), ",".into()]),
                ..CompletionOptions::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            document_highlight_provider: Some(OneOf::Left(true)),
            inlay_hint_provider: Some(OneOf::Left(true)),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: tokens::legend(),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    ..SemanticTokensOptions::default()
                }),
            ),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..CodeActionOptions::default()
            })),
            document_formatting_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            ..ServerCapabilities::default()
        }
    }

    /// After `initialized`: watch `.pol` files and `pol.toml` for changes made outside the
    /// editor, and compile the sets of the workspace folders so their problems show.
    fn initialized(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        for folder in self.folders.clone() {
            self.workspace.add_folder(&folder);
        }
        if !self.can_watch {
            return;
        }
        let watchers = ["**/*.pol", "**/pol.toml"]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).into()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = RegistrationParams {
            registrations: vec![Registration {
                id: "pol-watch-files".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        if let Ok(params) = serde_json::to_value(registration) {
            self.next_id += 1;
            self.send(Message::Request(Request {
                id: RequestId::from(format!("pol-{}", self.next_id)),
                method: RegisterCapability::METHOD.into(),
                params,
            }));
        }
    }

    fn change(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let Some(path) = file_path(&p.text_document.uri) else {
            return;
        };
        let encoding = self.encoding;
        let Some(doc) = self.workspace.document_mut(&path) else {
            return;
        };
        for change in p.content_changes {
            match change.range {
                Some(range) => {
                    let lines = LineIndex::new(&doc.text);
                    let bytes = lines.byte_range(&doc.text, range, encoding);
                    doc.text.replace_range(bytes, &change.text);
                }
                None => doc.text = change.text,
            }
        }
        doc.version = p.text_document.version;
        self.workspace.touch(&path);
    }

    fn files_changed(&mut self, p: &lsp_types::DidChangeWatchedFilesParams) {
        let project_changed =
            p.changes.iter().any(|c| c.uri.path().ends_with(crate::project::PROJECT_FILE));
        if project_changed {
            for path in self.workspace.forget_sets() {
                self.publish_one(&path, Vec::new());
            }
        } else {
            self.workspace.touch_all();
        }
    }

    /// Compiles the sets that changed and sends each file's diagnostics when they, or the
    /// version of the open document they are for, differ from what the client has (an
    /// empty list clears a file's).
    fn publish(&mut self) {
        let encoding = self.encoding;
        let refreshed = self.workspace.refresh(encoding);
        for (i, analysis) in refreshed {
            let now: HashMap<PathBuf, Published> = diagnostics::by_file(&analysis)
                .into_iter()
                .map(|(path, diagnostics)| {
                    let version = self.workspace.document(&path).map(|d| d.version);
                    (path, Published { version, diagnostics })
                })
                .collect();
            let Some(set) = self.workspace.set_mut(i) else {
                continue;
            };
            let before = std::mem::replace(&mut set.published, now.clone());
            let mut paths: Vec<&PathBuf> = now.keys().chain(before.keys()).collect();
            paths.sort();
            paths.dedup();
            let mut out = Vec::new();
            for path in paths {
                let new = now.get(path).cloned().unwrap_or_default();
                let changed = match before.get(path) {
                    Some(old) => *old != new,
                    // Nothing shown yet: an empty list for a closed file need not be sent.
                    None => !new.diagnostics.is_empty() || new.version.is_some(),
                };
                if changed {
                    out.push((path.clone(), new.diagnostics));
                }
            }
            for (path, diagnostics) in out {
                self.publish_one(&path, diagnostics);
            }
        }
        self.publish_project_errors();
    }

    /// Shows each unusable `pol.toml`'s problem on it (once), and clears those fixed since.
    fn publish_project_errors(&mut self) {
        let now: Vec<(PathBuf, lsp_types::Diagnostic)> = self
            .workspace
            .project_errors
            .iter()
            .map(|(path, e)| (path.clone(), crate::project::diagnostic(e, self.encoding)))
            .collect();
        let before = std::mem::replace(&mut self.shown_project_errors, now.clone());
        for (path, _) in &before {
            if !now.iter().any(|(p, _)| p == path) {
                self.publish_one(path, Vec::new());
            }
        }
        for shown in now {
            if !before.contains(&shown) {
                self.publish_one(&shown.0, vec![shown.1]);
            }
        }
    }

    fn publish_one(&self, path: &std::path::Path, diagnostics: Vec<lsp_types::Diagnostic>) {
        let Ok(uri) = Url::from_file_path(path) else {
            return;
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: self.workspace.document(path).map(|d| d.version),
        };
        if let Ok(params) = serde_json::to_value(params) {
            self.send(Message::Notification(Notification {
                method: PublishDiagnostics::METHOD.into(),
                params,
            }));
        }
    }

    /// The compiled set of a document, the document's file in it, and the byte offset of a
    /// position there.
    fn locate(
        &mut self,
        uri: &Url,
        position: Option<lsp_types::Position>,
    ) -> Option<(std::rc::Rc<Analysis>, pol_syntax::FileId, u32)> {
        let path = file_path(uri)?;
        let analysis = self.workspace.analysis(&path, self.encoding)?;
        let file = analysis.file_id(&path)?;
        let offset = position.map_or(0, |p| analysis.offset(file, p));
        Some((analysis, file, offset))
    }

    /// [`Self::locate`] for the position a request is about.
    fn locate_at(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Option<(std::rc::Rc<Analysis>, pol_syntax::FileId, u32)> {
        self.locate(&at.text_document.uri, Some(at.position))
    }

    /// Answers a request about a position with `answer`, given the analysis of the file's
    /// set, the file and the byte offset; `None` for a file outside every set.
    fn answer_at<T>(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
        answer: impl FnOnce(&Analysis, pol_syntax::FileId, u32) -> Option<T>,
    ) -> Answer<Option<T>> {
        Ok(self.locate_at(at).and_then(|(a, file, offset)| answer(&a, file, offset)))
    }

    fn hover(&mut self, p: lsp_types::HoverParams) -> Answer<Option<lsp_types::Hover>> {
        self.answer_at(&p.text_document_position_params, hover::hover)
    }

    fn definition(
        &mut self,
        p: lsp_types::GotoDefinitionParams,
    ) -> Answer<Option<lsp_types::GotoDefinitionResponse>> {
        self.answer_at(&p.text_document_position_params, |a, file, offset| {
            navigation::definition(a, file, offset).map(lsp_types::GotoDefinitionResponse::Scalar)
        })
    }

    fn references(
        &mut self,
        p: lsp_types::ReferenceParams,
    ) -> Answer<Option<Vec<lsp_types::Location>>> {
        let include_declaration = p.context.include_declaration;
        self.answer_at(&p.text_document_position, |a, file, offset| {
            navigation::references(a, file, offset, include_declaration)
        })
    }

    fn highlights(
        &mut self,
        p: lsp_types::DocumentHighlightParams,
    ) -> Answer<Option<Vec<lsp_types::DocumentHighlight>>> {
        self.answer_at(&p.text_document_position_params, navigation::highlights)
    }

    fn inlay_hints(
        &mut self,
        p: lsp_types::InlayHintParams,
    ) -> Answer<Option<Vec<lsp_types::InlayHint>>> {
        let Some((a, file, _)) = self.locate(&p.text_document.uri, None) else {
            return Ok(None);
        };
        let (start, end) = (a.offset(file, p.range.start), a.offset(file, p.range.end));
        // Which period of a dated parameter is shown: the one in force today, in UTC.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let today = pol_compiler::value::Day::from_unix_seconds(now).to_string();
        Ok(Some(hints::inlay_hints(&a, file, start, end, &today)))
    }

    fn semantic_tokens(
        &mut self,
        p: lsp_types::SemanticTokensParams,
    ) -> Answer<Option<lsp_types::SemanticTokensResult>> {
        let Some((a, file, _)) = self.locate(&p.text_document.uri, None) else {
            return Ok(None);
        };
        Ok(Some(lsp_types::SemanticTokensResult::Tokens(lsp_types::SemanticTokens {
            result_id: None,
            data: tokens::semantic_tokens(&a, file),
        })))
    }

    fn completion(
        &mut self,
        p: lsp_types::CompletionParams,
    ) -> Answer<Option<lsp_types::CompletionResponse>> {
        let Some((a, file, offset)) = self.locate_at(&p.text_document_position) else {
            return Ok(None);
        };
        let trigger = p.context.as_ref().and_then(|c| c.trigger_character.as_deref());
        let items = completion::complete(&a, file, offset, trigger);
        Ok(Some(lsp_types::CompletionResponse::Array(items)))
    }

    fn formatting(
        &mut self,
        p: lsp_types::DocumentFormattingParams,
    ) -> Answer<Option<Vec<lsp_types::TextEdit>>> {
        let Some(path) = file_path(&p.text_document.uri) else {
            return Ok(None);
        };
        let Some(text) = self.workspace.text(&path) else {
            return Ok(None);
        };
        match edits::format(&text, self.encoding) {
            Ok(edits) => Ok(Some(edits)),
            Err(edits::FormatError::Syntax) => Ok(None),
            Err(edits::FormatError::Internal(message)) => {
                Err(error(ErrorCode::RequestFailed, message))
            }
        }
    }

    fn prepare_rename(
        &mut self,
        p: lsp_types::TextDocumentPositionParams,
    ) -> Answer<Option<lsp_types::PrepareRenameResponse>> {
        let Some((a, file, offset)) = self.locate_at(&p) else {
            return Ok(None);
        };
        navigation::prepare_rename(&a, file, offset)
            .map(Some)
            .map_err(|m| error(ErrorCode::RequestFailed, m))
    }

    fn rename(&mut self, p: lsp_types::RenameParams) -> Answer<Option<lsp_types::WorkspaceEdit>> {
        let Some((a, file, offset)) = self.locate_at(&p.text_document_position) else {
            return Ok(None);
        };
        navigation::rename(&a, file, offset, &p.new_name)
            .map(Some)
            .map_err(|m| error(ErrorCode::RequestFailed, m))
    }

    fn code_action(
        &mut self,
        p: lsp_types::CodeActionParams,
    ) -> Answer<Option<lsp_types::CodeActionResponse>> {
        let uri = &p.text_document.uri;
        let Some((a, file, start)) = self.locate(uri, Some(p.range.start)) else {
            return Ok(None);
        };
        let end = a.offset(file, p.range.end);
        Ok(Some(edits::quick_fixes(&a, file, start, end, uri)))
    }

    fn document_symbols(
        &mut self,
        p: lsp_types::DocumentSymbolParams,
    ) -> Answer<Option<lsp_types::DocumentSymbolResponse>> {
        let Some((a, file, _)) = self.locate(&p.text_document.uri, None) else {
            return Ok(None);
        };
        Ok(Some(lsp_types::DocumentSymbolResponse::Nested(navigation::document_symbols(&a, file))))
    }

    fn workspace_symbols(
        &mut self,
        p: lsp_types::WorkspaceSymbolParams,
    ) -> Answer<Option<lsp_types::WorkspaceSymbolResponse>> {
        let analyses = self.workspace.analyses(self.encoding);
        Ok(Some(lsp_types::WorkspaceSymbolResponse::Flat(navigation::workspace_symbols(
            &analyses, &p.query,
        ))))
    }
}

/// The parameters of a notification, if they decode (a notification cannot be answered,
/// so one that does not is dropped with a line on standard error).
fn decode<N: lsp_types::notification::Notification>(n: Notification) -> Option<N::Params> {
    match serde_json::from_value(n.params) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("pol lsp: ignored `{}` with bad parameters: {e}", N::METHOD);
            None
        }
    }
}

fn error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError { code: code as i32, message, data: None }
}

/// The path of a `file:` URI; other schemes (an unsaved `untitled:` buffer) have none, and
/// get no answers.
fn file_path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    uri.to_file_path().ok()
}
