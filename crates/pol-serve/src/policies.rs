//! The policy set in force, and its reload.
//!
//! A request takes the current [`Snapshot`] (one atomic load) and decides with it to the
//! end; a reload compiles the new set aside and swaps it in with one atomic store. So no
//! request waits for a reload, none sees half a set, and a set that does not compile never
//! replaces one that does.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use pol_compiler::JsonWriter;
use pol_engine::watch::{watch_targets, WatchTarget};
use pol_engine::{Engine, Failure, PolicySource, Receipt};

use crate::catalogue;

/// A compiled policy set and what is derived from it once: the JSON writer's fragments and
/// the `/v1/policies` document.
pub(crate) struct Snapshot {
    pub engine: Engine,
    pub writer: JsonWriter,
    pub catalogue: String,
}

impl Snapshot {
    fn new(engine: Engine) -> Snapshot {
        Snapshot {
            writer: JsonWriter::new(engine.compiled()),
            catalogue: catalogue::render(engine.compiled()),
            engine,
        }
    }
}

/// A reload that was refused: the set does not compile (or cannot be read). The old set
/// keeps serving.
#[derive(Debug)]
pub struct Refused {
    /// The errors, one per line, as the service logs them.
    pub reason: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the policies do not compile:{}", self.reason)
    }
}

pub(crate) struct Policies {
    current: ArcSwap<Snapshot>,
    source: PolicySource,
    /// One reload at a time (SIGHUP and the watcher may ask together), so the set put in
    /// force last is the one read last.
    reloading: Mutex<()>,
    /// After a refused reload, the files the refused set was read from (empty once a
    /// reload succeeds): with `--watch` they are watched beside the set in force's, as the
    /// fix may come in either.
    refused_files: Mutex<Vec<PathBuf>>,
}

impl Policies {
    pub fn new(engine: Engine) -> Policies {
        Policies {
            source: engine.source().clone(),
            current: ArcSwap::from_pointee(Snapshot::new(engine)),
            reloading: Mutex::new(()),
            refused_files: Mutex::new(Vec::new()),
        }
    }

    /// The set in force; a request holds it until it has answered.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Reads and compiles the set from its source again; swaps it in if it compiles.
    pub fn reload(&self) -> Result<Receipt, Refused> {
        // A poisoned lock only means an earlier reload panicked; the guard holds no data.
        let _one_at_a_time =
            self.reloading.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = self.current.load().engine.receipt().policies.clone();
        match Engine::load(self.source.clone()) {
            Ok(engine) => {
                self.refused_files().clear();
                let receipt = engine.receipt().clone();
                self.current.store(Arc::new(Snapshot::new(engine)));
                let change = if receipt.policies == before {
                    "unchanged".to_string()
                } else {
                    format!("was {before}")
                };
                crate::log(&format!("reloaded the policies: {} ({change})", receipt.policies));
                Ok(receipt)
            }
            Err(failure) => {
                *self.refused_files() = self.source.files_read(&failure.sources);
                let refused = refused(&failure);
                crate::log(&format!("reload refused, {before} keeps serving: {refused}"));
                Err(refused)
            }
        }
    }

    /// What `--watch` watches: the directories the set is read from, and the directory of
    /// every other file read (a policy an import reached outside them).
    pub fn watch_targets(&self) -> Vec<WatchTarget> {
        let mut files = self.source.files_read(&self.current().engine.compiled().sources);
        files.extend(self.refused_files().iter().cloned());
        watch_targets(self.source.watched_paths(), files)
    }

    fn refused_files(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        // A poisoned lock only means a reload panicked; the list is whole either way.
        self.refused_files.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn refused(failure: &Failure) -> Refused {
    Refused { reason: crate::describe_failure(failure) }
}
