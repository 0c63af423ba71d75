//! The state recorder: holds the state an apply is changing and checkpoints it to the backend
//! after changes, coalesced to at most one write per interval, and always at the end.

use crate::state::{State, StateBackend, StateError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub struct Recorder {
    state: Arc<Mutex<State>>,
    generation: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
    dirty: Arc<Notify>,
    stop: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
    backend: Arc<dyn StateBackend>,
    workspace: String,
    errors: Arc<Mutex<Vec<String>>>,
    writes: Arc<AtomicU64>,
    /// Held for each backend write, so the checkpoint loop and [`Recorder::write_now`] never
    /// write at the same time (the serial must go up in the order the writes land).
    write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Recorder {
    /// Starts recording `state`, checkpointing at most once per `interval`.
    pub fn start(state: State, backend: Arc<dyn StateBackend>, workspace: &str, interval: Duration) -> Recorder {
        let state = Arc::new(Mutex::new(state));
        let generation = Arc::new(AtomicU64::new(0));
        let written = Arc::new(AtomicU64::new(0));
        let dirty = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let writes = Arc::new(AtomicU64::new(0));
        let write_lock = Arc::new(tokio::sync::Mutex::new(()));
        let task = tokio::spawn(checkpoint_loop(
            write_lock.clone(),
            state.clone(),
            generation.clone(),
            written.clone(),
            dirty.clone(),
            stop.clone(),
            backend.clone(),
            workspace.to_string(),
            interval,
            errors.clone(),
            writes.clone(),
        ));
        Recorder {
            state,
            generation,
            written,
            dirty,
            stop,
            task: Some(task),
            backend,
            workspace: workspace.to_string(),
            errors,
            writes,
            write_lock,
        }
    }

    /// Writes the state now, not coalesced: for what must be durable before the next step
    /// (the intents recorded before creates).
    pub async fn write_now(&self) -> Result<(), StateError> {
        let _g = self.write_lock.lock().await;
        let wrote =
            write_if_changed(&self.state, &self.generation, &self.written, self.backend.as_ref(), &self.workspace)
                .await?;
        if wrote {
            self.writes.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    /// Changes the state; a checkpoint follows.
    pub fn update(&self, f: impl FnOnce(&mut State)) {
        {
            let mut s = self.state.lock().expect("state lock");
            f(&mut s);
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.dirty.notify_one();
    }

    pub fn state(&self) -> &Mutex<State> {
        &self.state
    }

    pub fn snapshot(&self) -> State {
        self.state.lock().expect("state lock").clone()
    }

    pub fn snapshot_ref(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("state lock")
    }

    /// How many times the state was written so far.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Stops checkpointing and writes the final state if anything changed since the last
    /// checkpoint. Returns the final state, or the write error with the state that could not
    /// be written (which the caller must then save elsewhere: `errored.tfstate`).
    pub async fn finish(mut self) -> Result<State, (State, StateError)> {
        self.stop.cancel();
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        let _g = self.write_lock.lock().await;
        let result =
            write_if_changed(&self.state, &self.generation, &self.written, self.backend.as_ref(), &self.workspace)
                .await;
        let state = self.snapshot();
        match result {
            Ok(wrote) => {
                if wrote {
                    self.writes.fetch_add(1, Ordering::SeqCst);
                }
                Ok(state)
            }
            Err(e) => Err((state, e)),
        }
    }

    /// Checkpoint errors seen so far (the final write reports its own).
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().expect("errors lock").clone()
    }
}

async fn write_if_changed(
    state: &Mutex<State>,
    generation: &AtomicU64,
    written: &AtomicU64,
    backend: &dyn StateBackend,
    workspace: &str,
) -> Result<bool, StateError> {
    let snapshot = {
        let mut s = state.lock().expect("state lock");
        let g = generation.load(Ordering::SeqCst);
        if g == written.load(Ordering::SeqCst) {
            return Ok(false);
        }
        s.serial += 1;
        s.terraform_version = crate::VERSION.to_string();
        written.store(g, Ordering::SeqCst);
        s.clone()
    };
    backend.write(workspace, &snapshot).await.map(|()| true).inspect_err(|_| {
        // Make the next attempt write again.
        written.store(u64::MAX, Ordering::SeqCst);
    })
}

#[allow(clippy::too_many_arguments)]
async fn checkpoint_loop(
    write_lock: Arc<tokio::sync::Mutex<()>>,
    state: Arc<Mutex<State>>,
    generation: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
    dirty: Arc<Notify>,
    stop: CancellationToken,
    backend: Arc<dyn StateBackend>,
    workspace: String,
    interval: Duration,
    errors: Arc<Mutex<Vec<String>>>,
    writes: Arc<AtomicU64>,
) {
    loop {
        tokio::select! {
            _ = dirty.notified() => {}
            _ = stop.cancelled() => return,
        }
        let g = write_lock.lock().await;
        let result = write_if_changed(&state, &generation, &written, backend.as_ref(), &workspace).await;
        drop(g);
        match result {
            Ok(true) => {
                writes.fetch_add(1, Ordering::SeqCst);
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "state checkpoint failed; will retry");
                errors.lock().expect("errors lock").push(e.to_string());
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.cancelled() => return,
        }
    }
}
