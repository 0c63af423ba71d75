//! Progress callbacks, so the CLI can show what a long plan or apply is doing
//! ("Refreshing state...", "Creating...", "Still creating... [30s elapsed]").

use crate::addr::InstanceAddr;
use crate::plan::Action;
use std::time::Duration;

pub trait Hooks: Send + Sync {
    fn refreshing(&self, _addr: &InstanceAddr, _id: Option<&str>) {}
    /// An `import` block's object is being read.
    fn importing(&self, _addr: &InstanceAddr, _id: &str) {}
    /// A refresh finished; `id` is the object's id (`None` when the object is gone).
    fn refreshed(&self, _addr: &InstanceAddr, _id: Option<&str>) {}
    fn reading(&self, _addr: &InstanceAddr) {}
    fn apply_start(&self, _addr: &InstanceAddr, _deposed: Option<&str>, _action: Action) {}
    fn apply_progress(&self, _addr: &InstanceAddr, _action: Action, _elapsed: Duration) {}
    fn apply_done(
        &self,
        _addr: &InstanceAddr,
        _deposed: Option<&str>,
        _action: Action,
        _elapsed: Duration,
        _id: Option<&str>,
    ) {
    }
    fn apply_failed(&self, _addr: &InstanceAddr, _action: Action, _elapsed: Duration) {}
}

/// Hooks that show nothing.
pub struct NoHooks;

impl Hooks for NoHooks {}

/// The `id` attribute of a value, for progress lines.
pub fn id_of(v: &crate::value::Value) -> Option<String> {
    v.unmarked()
        .get_attr("id")
        .filter(|id| !id.is_sensitive())
        .and_then(|id| id.unmarked().as_str().map(str::to_string))
}
