//! Crash safety: creates an apply recorded as pending (with an idempotency token) but did
//! not finish recording are looked for by the next plan, and what they made joins the state.
//! The apply side (tokens recorded before any create) is in [`crate::apply::apply`].

use super::plan::PlanWalk;
use crate::addr::InstanceAddr;
use crate::config::Resource;
use crate::diag::Diagnostic;
use crate::plan::planner::interrupted_error;
use crate::provider::{PlanRequest, Provider};
use crate::schema::ResourceSchema;
use crate::state::ObjectState;
use crate::value::Value;

impl PlanWalk<'_> {
    /// Creates a crashed apply recorded but did not finish recording: what each made (found
    /// by its token) joins the state, so it is updated rather than created a second time.
    pub(crate) async fn adopt(&self, key: &str, p: &dyn Provider) -> bool {
        let pending: Vec<crate::state::PendingCreate> =
            self.stored().pending.values().filter(|c| c.provider == key).cloned().collect();
        let mut ok = true;
        for c in pending {
            if self.state.lock().expect("state lock").object(&c.addr.resource, &c.addr.key).is_some() {
                continue; // recorded after all: nothing to find
            }
            let Some(schema) = self.ctx.resource_schema(key, &c.addr.resource) else { continue };
            let planned = schema.block.from_json(&c.planned);
            if let Err(d) = self.find_and_adopt(&c, planned, schema, p, &c.provider_address).await {
                ok = false;
                self.error(d);
            }
        }
        if ok {
            self.adopt_done.lock().expect("adopt lock").insert(key.to_string());
        }
        ok
    }

    /// A pending create that [`PlanWalk::adopt`] did not find, looked for again with its
    /// configuration as it evaluates now. What was unknown when the killed apply was planned
    /// (the IDs of objects it created in the same run: the route table of a route, the
    /// group of a security group rule) is known once those objects were adopted, and a
    /// provider that finds objects by natural key or name needs it. Asked only when the
    /// planned value differs from the recorded one.
    pub(crate) async fn adopt_late(
        &self,
        addr: &InstanceAddr,
        res: &Resource,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
        config: &Value,
    ) -> Result<Option<Value>, Diagnostic> {
        let Some(c) = self.stored().pending.get(addr) else { return Ok(None) };
        let planned = provider
            .plan(PlanRequest { type_name: &res.addr.type_name, schema, prior: None, config, prior_private: None })
            .await
            .map_err(|e| self.provider_error("Error planning", addr, res, e))?
            .planned
            .deep_unmark()
            .unknowns_to_null();
        if planned.to_json() == schema.block.from_json(&c.planned).to_json() {
            return Ok(None); // asked already, with the same values
        }
        self.find_and_adopt(c, planned, schema, provider, provider_address).await.map_err(|d| d.at(res.range.clone()))
    }

    /// Asks the provider what the pending create `c` made (given `planned`) and, when it
    /// finds it, puts it in the refreshed state as adopted.
    pub(crate) async fn find_and_adopt(
        &self,
        c: &crate::state::PendingCreate,
        planned: Value,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
    ) -> Result<Option<Value>, Diagnostic> {
        let found = {
            let Some(_permit) = self.permits.acquire().await else { return Err(interrupted_error()) };
            provider.find_created(&c.addr.resource.type_name, planned, &c.token).await
        };
        let v = match found {
            Ok(Some(v)) => schema.fit(v),
            Ok(None) => return Ok(None),
            Err(e) => {
                return Err(Diagnostic::error(
                    format!("Error looking for {} after an interrupted apply", c.addr),
                    format!(
                        "An earlier apply was stopped while creating {}; terrane looks for what it created (token {}) before planning it again, and that failed: {}",
                        c.addr, c.token, e.message
                    ),
                ));
            }
        };
        self.set_object(&c.addr.resource, &c.addr.key, provider_address, Some(ObjectState::plain(&v, schema)));
        self.adopted.lock().expect("adopted lock").insert(c.addr.clone());
        Ok(Some(v))
    }
}
