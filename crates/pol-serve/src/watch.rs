//! What makes the service reload or stop: SIGHUP reloads the policies; with `--watch`, so
//! does a change to a policy file (seen through notify: inotify on Linux); SIGTERM and
//! SIGINT stop it gracefully.

use std::future::Future;
use std::path::PathBuf;

use notify::{RecursiveMode, Watcher};
use pol_engine::load::CHANGES_SETTLE;
use tokio::signal::unix::{signal, SignalKind};

use crate::{log, ServeError, Service};

/// Reloads on every SIGHUP, for as long as the runtime runs.
pub(crate) fn on_hangup(service: Service) -> std::io::Result<()> {
    let mut hangups = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            log("SIGHUP: reloading the policies");
            reload(&service).await;
        }
    });
    Ok(())
}

/// Compiles on a thread that may block, so requests keep being answered meanwhile.
async fn reload(service: &Service) {
    let service = service.clone();
    // The outcome is logged and counted by `reload` itself.
    let _ = tokio::task::spawn_blocking(move || service.reload()).await;
}

/// Completes on the first SIGTERM or SIGINT.
pub(crate) fn terminated() -> std::io::Result<impl Future<Output = ()>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// Reloads when a `.pol` file under `paths` changes. The watcher stops when dropped.
pub(crate) fn on_change(
    service: Service,
    paths: &[PathBuf],
) -> Result<notify::RecommendedWatcher, ServeError> {
    if paths.is_empty() {
        log("--watch: the built-in policies never change; nothing to watch");
    }
    let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let relevant = !event.kind.is_access()
            && event.paths.iter().any(|p| p.extension().is_some_and(|e| e == "pol"));
        if relevant {
            let _ = changed.send(());
        }
    })
    .map_err(|e| ServeError::Watch(e.to_string()))?;
    for path in paths {
        watcher
            .watch(path, RecursiveMode::Recursive)
            .map_err(|e| ServeError::Watch(format!("{}: {e}", path.display())))?;
    }
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            tokio::time::sleep(CHANGES_SETTLE).await;
            while changes.try_recv().is_ok() {}
            log("a policy file changed: reloading");
            reload(&service).await;
        }
    });
    Ok(watcher)
}
