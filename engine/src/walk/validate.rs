//! The validate walk's side of the walker: it has nothing of its own but what it does with
//! resources ([`super::resource::validating`]); providers are not configured, nothing is
//! refreshed and nothing is destroyed.

use super::{Operation, Walk};
use crate::addr::{InstanceAddr, ResourceAddr};
use crate::provider::Provider;
use petgraph::stable_graph::NodeIndex;

pub(crate) struct ValidateWalk<'a> {
    pub(crate) w: Walk<'a>,
}

impl Operation for ValidateWalk<'_> {
    fn walk(&self) -> &Walk<'_> {
        &self.w
    }

    async fn provider_ready(&self, _key: &str, _p: &dyn Provider) -> bool {
        true
    }

    async fn resource(&self, addr: &ResourceAddr, _node: NodeIndex) -> bool {
        super::resource::validating(&self.w, addr)
    }

    async fn destroy(&self, _inst: &InstanceAddr, _deposed: Option<&str>) -> bool {
        true
    }
}
