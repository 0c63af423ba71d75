//! The parallel graph walker: runs each node once all its dependencies have finished, many at
//! a time; a failed node skips its dependents while independent branches go on. Provider
//! calls inside nodes take [`Permits`] sized by `-parallelism`.

use super::Graph;
use crate::Hasher;
use futures::stream::{FuturesUnordered, StreamExt};
use petgraph::stable_graph::NodeIndex;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeOutcome {
    Done,
    Failed,
    /// Not run because a dependency failed or was skipped.
    Skipped,
    /// Not started because the walk was interrupted.
    Cancelled,
    /// Running when the walk was abandoned (second interrupt): its outcome is unknown.
    Abandoned,
}

/// Interrupt control: `cancel` stops starting new nodes (in-flight ones finish); `abandon`
/// stops waiting for in-flight ones.
#[derive(Clone, Default)]
pub struct WalkControl {
    pub cancel: CancellationToken,
    pub abandon: CancellationToken,
}

/// The permits for provider calls during a walk: `-parallelism` of them, and none once the walk
/// is interrupted. The walker stops starting nodes, but one node can hold many operations (every
/// instance of a counted resource, every refresh batch of a provider), all started at once and
/// waiting here for a permit: this is where each of them learns that it must not start.
pub struct Permits {
    sem: Semaphore,
    cancel: CancellationToken,
    refused: AtomicBool,
}

impl Permits {
    pub fn new(parallelism: usize, control: &WalkControl) -> Permits {
        Permits {
            sem: Semaphore::new(parallelism.max(1)),
            cancel: control.cancel.clone(),
            refused: AtomicBool::new(false),
        }
    }

    /// A permit to start one operation, or `None` when the walk has been interrupted (before
    /// or while waiting): the operation must then not start.
    pub async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        let permit = if self.cancel.is_cancelled() {
            None
        } else {
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => None,
                p = self.sem.acquire() => p.ok(),
            }
        };
        // Checked again: the permit and the interrupt may have come together.
        let permit = permit.filter(|_| !self.cancel.is_cancelled());
        if permit.is_none() {
            self.refused.store(true, Ordering::SeqCst);
        }
        permit
    }

    /// Whether an operation was refused a permit (so the walk did not do everything).
    pub fn refused(&self) -> bool {
        self.refused.load(Ordering::SeqCst)
    }
}

/// Walks `g`, calling `visit` for each node when its dependencies are done. `visit` returns
/// whether the node succeeded.
pub async fn walk<'a, F, Fut>(g: &Graph, control: &WalkControl, mut visit: F) -> HashMap<NodeIndex, NodeOutcome, Hasher>
where
    F: FnMut(NodeIndex) -> Fut,
    Fut: Future<Output = bool> + 'a,
{
    let mut remaining: HashMap<NodeIndex, usize, Hasher> =
        HashMap::with_capacity_and_hasher(g.len(), Hasher::default());
    let mut ready = Vec::new();
    for (i, _) in g.nodes() {
        let n = g.dependencies(i).count();
        remaining.insert(i, n);
        if n == 0 {
            ready.push(i);
        }
    }
    ready.sort();
    let mut outcome: HashMap<NodeIndex, NodeOutcome, Hasher> =
        HashMap::with_capacity_and_hasher(g.len(), Hasher::default());
    let mut blocked: HashSet<NodeIndex, Hasher> = HashSet::default();
    let mut in_flight: HashSet<NodeIndex, Hasher> = HashSet::default();
    let mut running = FuturesUnordered::new();
    // Registered once: a `cancelled()` future made per completion takes the token's lock twice.
    let abandoned = control.abandon.cancelled();
    tokio::pin!(abandoned);
    let mut done_now = Vec::new();
    loop {
        if !control.cancel.is_cancelled() {
            for i in ready.drain(..) {
                // Most nodes finish without waiting (nothing to ask a provider): polled once
                // here, they complete at once instead of going through the set of running
                // futures and a wake-up each.
                let mut fut = Box::pin(visit(i));
                match futures::poll!(fut.as_mut()) {
                    std::task::Poll::Ready(ok) => done_now.push((i, ok)),
                    std::task::Poll::Pending => {
                        in_flight.insert(i);
                        running.push(async move { (i, fut.await) });
                    }
                }
            }
        }
        let completed = if !done_now.is_empty() {
            std::mem::take(&mut done_now)
        } else if running.is_empty() {
            break;
        } else {
            let next = tokio::select! {
                biased;
                _ = &mut abandoned => None,
                r = running.next() => r,
            };
            let Some((i, ok)) = next else {
                for i in in_flight.drain() {
                    outcome.insert(i, NodeOutcome::Abandoned);
                }
                break;
            };
            in_flight.remove(&i);
            vec![(i, ok)]
        };
        for &(i, ok) in &completed {
            outcome.insert(i, if ok { NodeOutcome::Done } else { NodeOutcome::Failed });
        }
        // Propagate completion; skipped nodes complete at once and propagate further.
        let mut finished = completed;
        while let Some((n, ok)) = finished.pop() {
            let deps: Vec<NodeIndex> = g.dependents(n).collect();
            for d in deps {
                if !ok {
                    blocked.insert(d);
                }
                let left = remaining.get_mut(&d).expect("node of the graph");
                *left -= 1;
                if *left == 0 {
                    if blocked.contains(&d) {
                        outcome.insert(d, NodeOutcome::Skipped);
                        finished.push((d, false));
                    } else {
                        ready.push(d);
                    }
                }
            }
        }
        ready.sort();
    }
    for (i, _) in g.nodes() {
        outcome.entry(i).or_insert(if blocked.contains(&i) { NodeOutcome::Skipped } else { NodeOutcome::Cancelled });
    }
    outcome
}
