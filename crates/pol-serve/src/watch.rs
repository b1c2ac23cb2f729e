//! What makes the service reload or stop: SIGHUP reloads the policies; with `--watch`, so
//! does a change to a policy file (seen through notify: inotify on Linux); SIGTERM and
//! SIGINT stop it gracefully.

use std::future::Future;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use pol_engine::watch::{WatchTarget, CHANGES_SETTLE};
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

/// Reloads when a `.pol` file of the set changes ([`Service::watch_targets`]). What is
/// watched is worked out again after each reload, since an edit may import a file from
/// another directory. The watcher lives in the task, for as long as the runtime runs.
pub(crate) fn on_change(service: Service) -> Result<(), ServeError> {
    let targets = service.watch_targets();
    if targets.is_empty() {
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
    // At the start, a path that cannot be watched stops the service: `--watch` would
    // otherwise promise what it does not do.
    for target in &targets {
        watch(&mut watcher, target)
            .map_err(|e| ServeError::Watch(format!("{}: {e}", target.path.display())))?;
    }
    let mut watching = targets;
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            tokio::time::sleep(CHANGES_SETTLE).await;
            while changes.try_recv().is_ok() {}
            log("a policy file changed: reloading");
            reload(&service).await;
            watching = rewatch(&mut watcher, watching, service.watch_targets());
        }
    });
    Ok(())
}

fn watch(watcher: &mut RecommendedWatcher, target: &WatchTarget) -> notify::Result<()> {
    let mode =
        if target.recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
    watcher.watch(&target.path, mode)
}

/// Moves the watch from `old` to `new`, and returns what is watched now. Every target of
/// `new` is watched again, not only the new ones: a directory deleted and made again lost
/// its watch with the old one. Those gone are unwatched after, so that nothing still
/// wanted goes unwatched meanwhile. A path that cannot be watched (a directory removed) is
/// logged, and tried again after the next reload; the rest are still watched.
fn rewatch(
    watcher: &mut RecommendedWatcher,
    old: Vec<WatchTarget>,
    new: Vec<WatchTarget>,
) -> Vec<WatchTarget> {
    let mut watching = Vec::with_capacity(new.len());
    for target in new {
        match watch(watcher, &target) {
            Ok(()) => watching.push(target),
            Err(e) => log(&format!("--watch: cannot watch {}: {e}", target.path.display())),
        }
    }
    for gone in old.iter().filter(|t| !watching.iter().any(|w| w.path == t.path)) {
        let _ = watcher.unwatch(&gone.path);
    }
    watching
}
