//! `pol serve`: the decision service. Case-management systems post cases and get the
//! contract's decision objects back (byte for byte what `pol eval --format json` prints);
//! caseworkers screen a person through the intake page at `/`.
//!
//! The service is stateless: each request names everything it needs, so instances scale out
//! behind any load balancer. The policy set in force is swapped atomically on reload, so a
//! request is decided by the old set or the new one, never by neither.
//!
//! ```no_run
//! use pol_serve::{Config, Options};
//!
//! let engine = pol_engine::Engine::builtin().map_err(|_| "the shipped policies compile")?;
//! let options = Options {
//!     addr: "127.0.0.1:8080".parse()?,
//!     watch: false,
//!     config: Config::default(),
//! };
//! pol_serve::run(engine, options)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules, one job each: [`routes`] (the table of endpoints and their handlers),
//! `request` (reading a body into cases, within limits), `decide` (deciding and explaining
//! them), `catalogue` (what `/v1/policies` says of the set), `policies` (the set in force
//! and its reload), `metrics`, `decision_log`, `watch` (signals and the file watcher) and
//! `page` (the intake page). `docs/serve.md` is the reference for users.
#![forbid(unsafe_code)]

mod catalogue;
mod decide;
mod decision_log;
mod metrics;
mod page;
mod policies;
mod request;
pub mod routes;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pol_engine::{Engine, Failure, Receipt};

pub use policies::Refused;

/// Bounds on what one request may ask of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// The most cases in one batch request (413 beyond).
    pub max_batch_cases: usize,
    /// The longest a request may take, reading its body included (408 beyond).
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_batch_cases: 10_000,
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// Where the decision log goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogTarget {
    /// Standard output (`--decision-log -`).
    Stdout,
    /// A file, appended to (created if absent).
    File(PathBuf),
}

/// How the service behaves, apart from where it listens.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub limits: Limits,
    /// One JSON line per decision, with its receipt.
    pub decision_log: Option<LogTarget>,
    /// Dotted fact paths (or `id`, or a group such as `applicant`) whose values the decision
    /// log replaces with [`decision_log::REDACTED`].
    pub redact: Vec<String>,
}

/// Where and how `pol serve` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Loopback by default: exposing the service is a deliberate choice.
    pub addr: SocketAddr,
    /// Reload when a policy file changes (for authoring).
    pub watch: bool,
    pub config: Config,
}

/// Why the service could not start or stopped with an error.
#[derive(Debug)]
pub enum ServeError {
    /// A `--redact` path that names no fact.
    Redact { path: String, suggestion: Option<String> },
    /// The decision log cannot be opened.
    DecisionLog { path: PathBuf, error: std::io::Error },
    /// The address cannot be listened on.
    Bind { addr: SocketAddr, error: std::io::Error },
    /// The policy files cannot be watched.
    Watch(String),
    /// The runtime or the server failed.
    Io(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Redact { path, .. } if path.is_empty() => write!(
                f,
                "`--redact` names an empty path (two commas in a row, or one at an end); \
                 name each fact, group or `id` to hide"
            ),
            ServeError::Redact { path, suggestion } => {
                write!(f, "`--redact {path}`: no fact, group or `id` has this path")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean `{s}`?")?;
                }
                Ok(())
            }
            ServeError::DecisionLog { path, error } => {
                write!(f, "cannot open the decision log `{}`: {error}", path.display())
            }
            ServeError::Bind { addr, error } => write!(f, "cannot listen on {addr}: {error}"),
            ServeError::Watch(message) => write!(f, "cannot watch the policy files: {message}"),
            ServeError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// The decision service: the policy set in force and everything requests share. Cheap to
/// clone (one `Arc`).
#[derive(Clone)]
pub struct Service {
    shared: Arc<Shared>,
}

struct Shared {
    policies: policies::Policies,
    limits: Limits,
    metrics: metrics::Metrics,
    log: Option<decision_log::DecisionLog>,
    /// Set when shutdown begins: `/readyz` then answers 503 so load balancers stop sending.
    draining: AtomicBool,
}

impl Service {
    /// A service deciding with `engine` (reloads read the engine's source again).
    pub fn new(engine: Engine, config: Config) -> Result<Service, ServeError> {
        let redaction = decision_log::Redaction::new(&config.redact, engine.compiled())?;
        let log = match &config.decision_log {
            Some(target) => Some(decision_log::DecisionLog::open(target, redaction)?),
            None => None,
        };
        Ok(Service {
            shared: Arc::new(Shared {
                policies: policies::Policies::new(engine),
                limits: config.limits,
                metrics: metrics::Metrics::new(),
                log,
                draining: AtomicBool::new(false),
            }),
        })
    }

    /// The HTTP routes (see [`routes::ROUTES`]), with limits and metrics applied.
    pub fn router(&self) -> axum::Router {
        routes::router(self.clone())
    }

    /// The receipt of the policy set in force.
    pub fn receipt(&self) -> Receipt {
        self.shared.policies.current().engine.receipt().clone()
    }

    /// Reads and compiles the policy set again and puts it in force. A set that fails to
    /// compile is refused and the old one keeps serving. Blocks while compiling: call it
    /// from a thread that may block.
    pub fn reload(&self) -> Result<Receipt, Refused> {
        let result = self.shared.policies.reload();
        self.shared.metrics.reloaded(result.is_ok());
        result
    }

    /// What `--watch` watches: the directories the policy set is read from, and the
    /// directory of every other policy file it read (an import outside them).
    pub fn watch_targets(&self) -> Vec<pol_engine::watch::WatchTarget> {
        self.shared.policies.watch_targets()
    }

    /// Marks the service as shutting down: `/readyz` answers 503 from now on.
    pub fn drain(&self) {
        self.shared.draining.store(true, Ordering::Relaxed);
    }

    /// Waits until every decision logged so far is written (on shutdown).
    pub fn close_log(&self) {
        if let Some(log) = &self.shared.log {
            log.close();
        }
    }

    fn shared(&self) -> &Shared {
        &self.shared
    }
}

/// Serves `service` on `listener` until `shutdown` completes, then lets the requests in
/// flight finish.
pub async fn serve(
    service: Service,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let drain = service.clone();
    axum::serve(listener, service.router())
        .with_graceful_shutdown(async move {
            shutdown.await;
            drain.drain();
        })
        .await
}

/// Runs `pol serve`: listens on `options.addr`, reloads on SIGHUP (and on file changes with
/// `watch`), and stops gracefully on SIGTERM or SIGINT. Blocks until then.
pub fn run(engine: Engine, options: Options) -> Result<(), ServeError> {
    let described = engine.source().describe();
    let service = Service::new(engine, options.config)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Io)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|error| ServeError::Bind { addr: options.addr, error })?;
        let addr = listener.local_addr().map_err(ServeError::Io)?;
        watch::on_hangup(service.clone()).map_err(ServeError::Io)?;
        if options.watch {
            watch::on_change(service.clone())?;
        }
        log(&format!(
            "listening on http://{addr} (policies: {described}, {}); the intake page is at /",
            service.receipt().policies
        ));
        let shutdown = watch::terminated().map_err(ServeError::Io)?;
        serve(service.clone(), listener, async move {
            shutdown.await;
            log("shutting down: finishing the requests in flight");
        })
        .await
        .map_err(ServeError::Io)
    })?;
    service.close_log();
    log("stopped");
    Ok(())
}

/// A line on standard error: what the service does (start, reloads, refusals, shutdown).
pub(crate) fn log(message: &str) {
    eprintln!("pol serve: {message}");
}

/// A policy set that failed to compile, as lines for the service's log.
pub(crate) fn describe_failure(failure: &Failure) -> String {
    let mut out = String::new();
    for d in failure.diagnostics.iter().filter(|d| d.is_error()) {
        let file = failure.sources.name(d.primary.span.file);
        let (line, column) = failure.sources.line_col(d.primary.span);
        out.push_str(&format!("\n  {file}:{line}:{column}: error[{}]: {}", d.code, d.message));
        if let Some(help) = &d.help {
            out.push_str(&format!("\n    help: {help}"));
        }
    }
    out
}
