//! `aws_instance`'s launch options that DescribeInstances reports: CPU options, hibernation,
//! Nitro Enclaves, maintenance (auto recovery), private DNS names, capacity reservations,
//! placement (group, partition, host, host resource group), the launch template, and the
//! instance's lifecycle. Their schema, how RunInstances gets them, how they are read back, and
//! the in-place changes hashicorp/aws makes (ModifyInstanceMaintenanceOptions,
//! ModifyInstanceCapacityReservationAttributes, ModifyInstanceCreditSpecification).
//!
//! Read-back: where DescribeInstances says nothing of an option (AWS always answers; moto
//! leaves CPU, maintenance, private DNS and capacity reservation options out), the state keeps
//! what it has, instead of reading "none" and planning a replacement every time.

use crate::errors::sdk_error;
use crate::resource::{Ctx, Result};
use crate::val;
use aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder;
use aws_sdk_ec2::types::{
    AmdSevSnpSpecification, CapacityReservationPreference, CapacityReservationSpecification, CapacityReservationTarget,
    CpuOptionsRequest, CreditSpecificationRequest, EnclaveOptionsRequest, HibernationOptionsRequest, HostnameType,
    Instance as ApiInstance, InstanceAutoRecoveryState, InstanceCreditSpecificationRequest,
    InstanceMaintenanceOptionsRequest, LaunchTemplateSpecification, Placement, PrivateDnsNameOptionsRequest, Tenancy,
};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::{Type, Value};

/// The launch template version hashicorp/aws uses when none is given.
pub const DEFAULT_VERSION: &str = "$Default";

fn one(attrs: Vec<(&str, Attribute)>) -> Schema {
    attrs.into_iter().fold(Schema::new(), |s, (k, a)| s.attr(k, a))
}

/// The arguments and blocks of this module, added to the instance's schema.
pub fn schema(s: Schema) -> Schema {
    let oc = Attribute::optional_computed;
    s.attr("cpu_core_count", oc(Type::Number).force_new())
        .attr("cpu_threads_per_core", oc(Type::Number).force_new())
        .attr("hibernation", Attribute::optional(Type::Bool).force_new())
        .attr("host_id", oc(Type::String).force_new())
        .attr("host_resource_group_arn", oc(Type::String))
        .attr("placement_group", oc(Type::String).force_new())
        .attr("placement_partition_number", oc(Type::Number).force_new())
        .attr("instance_lifecycle", Attribute::computed(Type::String))
        .attr("spot_instance_request_id", Attribute::computed(Type::String))
        .block(
            "cpu_options",
            NestedBlock::list(one(vec![
                ("amd_sev_snp", oc(Type::String).force_new()),
                ("core_count", oc(Type::Number).force_new()),
                ("threads_per_core", oc(Type::Number).force_new()),
            ]))
            .max(1)
            .computed(),
        )
        .block(
            "credit_specification",
            NestedBlock::list(one(vec![("cpu_credits", Attribute::optional(Type::String))])).max(1),
        )
        .block(
            "enclave_options",
            NestedBlock::list(one(vec![("enabled", oc(Type::Bool).force_new())])).max(1).computed(),
        )
        .block(
            "maintenance_options",
            NestedBlock::list(one(vec![("auto_recovery", oc(Type::String))])).max(1).computed(),
        )
        .block(
            "private_dns_name_options",
            NestedBlock::list(one(vec![
                ("enable_resource_name_dns_a_record", oc(Type::Bool)),
                ("enable_resource_name_dns_aaaa_record", oc(Type::Bool)),
                ("hostname_type", oc(Type::String)),
            ]))
            .max(1)
            .computed()
            .force_new(),
        )
        .block(
            "capacity_reservation_specification",
            NestedBlock::list(
                Schema::new().attr("capacity_reservation_preference", Attribute::optional(Type::String)).block(
                    "capacity_reservation_target",
                    NestedBlock::list(one(vec![
                        ("capacity_reservation_id", Attribute::optional(Type::String)),
                        ("capacity_reservation_resource_group_arn", Attribute::optional(Type::String)),
                    ]))
                    .max(1),
                ),
            )
            .max(1)
            .computed(),
        )
        .block(
            "launch_template",
            NestedBlock::list(one(vec![
                ("id", oc(Type::String).force_new()),
                ("name", oc(Type::String).force_new()),
                ("version", Attribute::optional(Type::String).default(DEFAULT_VERSION)),
            ]))
            .max(1)
            .force_new(),
        )
        .block(
            "instance_market_options",
            NestedBlock::list(
                Schema::new().attr("market_type", oc(Type::String)).block(
                    "spot_options",
                    NestedBlock::list(one(vec![
                        ("instance_interruption_behavior", oc(Type::String)),
                        ("max_price", oc(Type::String)),
                        ("spot_instance_type", oc(Type::String)),
                        ("valid_until", oc(Type::String)),
                    ]))
                    .max(1),
                ),
            )
            .max(1)
            .computed()
            .force_new(),
        )
}

/// The burstable instance families (T2, T3, T3a, T4g): the only ones with CPU credits, so the
/// only ones whose credit specification is read (DescribeInstanceTypes'
/// `BurstablePerformanceSupported`, known without asking).
pub fn burstable(instance_type: &str) -> bool {
    ["t2.", "t3.", "t3a.", "t4g."].iter().any(|p| instance_type.starts_with(p))
}

fn s(v: &Value, k: &str) -> Option<String> {
    val::string(v, k).filter(|s| !s.is_empty())
}

fn n(v: &Value, k: &str) -> Option<i32> {
    val::int(v, k).filter(|n| *n != 0).map(|n| n as i32)
}

/// Adds the options the planned value sets to a RunInstances request.
pub fn launch(mut req: RunInstancesFluentBuilder, planned: &Value) -> RunInstancesFluentBuilder {
    let cpu = val::block(planned, "cpu_options").unwrap_or(Value::NULL);
    let cores = n(&cpu, "core_count").or_else(|| n(planned, "cpu_core_count"));
    let threads = n(&cpu, "threads_per_core").or_else(|| n(planned, "cpu_threads_per_core"));
    let sev = s(&cpu, "amd_sev_snp");
    if cores.is_some() || threads.is_some() || sev.is_some() {
        req = req.cpu_options(
            CpuOptionsRequest::builder()
                .set_core_count(cores)
                .set_threads_per_core(threads)
                .set_amd_sev_snp(sev.map(|s| AmdSevSnpSpecification::from(s.as_str())))
                .build(),
        );
    }
    let instance_type = val::string(planned, "instance_type").unwrap_or_default();
    // hashicorp/aws asks T3 instances for unlimited credits unless told otherwise, and sends
    // a credit specification only to burstable types.
    let credits = val::block(planned, "credit_specification")
        .and_then(|c| s(&c, "cpu_credits"))
        .filter(|_| burstable(&instance_type) || instance_type.is_empty())
        .or_else(|| instance_type.starts_with("t3").then(|| "unlimited".to_string()));
    if let Some(c) = credits {
        req = req.credit_specification(CreditSpecificationRequest::builder().cpu_credits(c).build());
    }
    if let Some(true) = val::boolean(planned, "hibernation") {
        req = req.hibernation_options(HibernationOptionsRequest::builder().configured(true).build());
    }
    if let Some(e) = val::block(planned, "enclave_options").and_then(|e| val::boolean(&e, "enabled")) {
        req = req.enclave_options(EnclaveOptionsRequest::builder().enabled(e).build());
    }
    if let Some(r) = val::block(planned, "maintenance_options").and_then(|m| s(&m, "auto_recovery")) {
        req = req.maintenance_options(
            InstanceMaintenanceOptionsRequest::builder()
                .auto_recovery(InstanceAutoRecoveryState::from(r.as_str()))
                .build(),
        );
    }
    if let Some(p) = val::block(planned, "private_dns_name_options") {
        req = req.private_dns_name_options(
            PrivateDnsNameOptionsRequest::builder()
                .set_hostname_type(s(&p, "hostname_type").map(|h| HostnameType::from(h.as_str())))
                .set_enable_resource_name_dns_a_record(val::boolean(&p, "enable_resource_name_dns_a_record"))
                .set_enable_resource_name_dns_aaaa_record(val::boolean(&p, "enable_resource_name_dns_aaaa_record"))
                .build(),
        );
    }
    if let Some(c) = capacity_request(planned) {
        req = req.capacity_reservation_specification(c);
    }
    if let Some(lt) = val::block(planned, "launch_template") {
        req = req.launch_template(
            LaunchTemplateSpecification::builder()
                .set_launch_template_id(s(&lt, "id"))
                .set_launch_template_name(s(&lt, "name").filter(|_| s(&lt, "id").is_none()))
                .set_version(s(&lt, "version"))
                .build(),
        );
    }
    let placement = Placement::builder()
        .set_availability_zone(s(planned, "availability_zone"))
        .set_tenancy(s(planned, "tenancy").map(|t| Tenancy::from(t.as_str())))
        .set_group_name(s(planned, "placement_group"))
        .set_partition_number(n(planned, "placement_partition_number"))
        .set_host_id(s(planned, "host_id"))
        .set_host_resource_group_arn(s(planned, "host_resource_group_arn"))
        .build();
    if placement != Placement::builder().build() {
        req = req.placement(placement);
    }
    req
}

fn capacity_request(v: &Value) -> Option<CapacityReservationSpecification> {
    let c = val::block(v, "capacity_reservation_specification")?;
    let target = val::block(&c, "capacity_reservation_target").map(|t| {
        CapacityReservationTarget::builder()
            .set_capacity_reservation_id(s(&t, "capacity_reservation_id"))
            .set_capacity_reservation_resource_group_arn(s(&t, "capacity_reservation_resource_group_arn"))
            .build()
    });
    let pref = s(&c, "capacity_reservation_preference").map(|p| CapacityReservationPreference::from(p.as_str()));
    (pref.is_some() || target.is_some()).then(|| {
        CapacityReservationSpecification::builder()
            .set_capacity_reservation_preference(pref)
            .set_capacity_reservation_target(target)
            .build()
    })
}

/// `cur`'s value of `k` (what is not known inside it null) when it is set, else `fallback`.
pub fn known_or(cur: &Value, k: &str, fallback: Value) -> Value {
    match cur.get_attr(k) {
        Some(v) if v.is_known() && !v.is_null() => v.clone().unknowns_to_null(),
        _ => fallback,
    }
}

fn list(item: Option<Value>) -> Value {
    Value::tuple(item.into_iter().collect())
}

/// The options as the instance has them: `(name, value)` pairs for the instance's object.
pub fn read(i: &ApiInstance, cur: &Value, launch_template: Value) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    let p = i.placement();
    out.push(("placement_group", Value::from(p.and_then(|p| p.group_name()).unwrap_or_default())));
    out.push(("host_id", Value::from(p.and_then(|p| p.host_id()).unwrap_or_default())));
    out.push((
        "host_resource_group_arn",
        match p.and_then(|p| p.host_resource_group_arn()) {
            Some(a) => Value::from(a),
            None => known_or(cur, "host_resource_group_arn", Value::NULL),
        },
    ));
    out.push(("placement_partition_number", Value::from(i64::from(p.and_then(|p| p.partition_number()).unwrap_or(0)))));
    match i.cpu_options() {
        Some(c) => {
            out.push(("cpu_core_count", val::opt_int(c.core_count())));
            out.push(("cpu_threads_per_core", val::opt_int(c.threads_per_core())));
            out.push((
                "cpu_options",
                list(Some(Value::object([
                    ("amd_sev_snp", val::opt_str(c.amd_sev_snp().map(|a| a.as_str()))),
                    ("core_count", val::opt_int(c.core_count())),
                    ("threads_per_core", val::opt_int(c.threads_per_core())),
                ]))),
            ));
        }
        None => {
            for k in ["cpu_core_count", "cpu_threads_per_core"] {
                out.push((k, known_or(cur, k, Value::NULL)));
            }
            out.push(("cpu_options", known_or(cur, "cpu_options", list(None))));
        }
    }
    out.push((
        "hibernation",
        match i.hibernation_options().and_then(|h| h.configured()) {
            Some(h) => Value::Bool(h),
            None => known_or(cur, "hibernation", Value::NULL),
        },
    ));
    out.push((
        "enclave_options",
        match i.enclave_options() {
            Some(e) => list(Some(Value::object([("enabled", val::opt_bool(e.enabled()))]))),
            None => known_or(cur, "enclave_options", list(None)),
        },
    ));
    out.push((
        "maintenance_options",
        match i.maintenance_options() {
            Some(m) => {
                list(Some(Value::object([("auto_recovery", val::opt_str(m.auto_recovery().map(|a| a.as_str())))])))
            }
            None => known_or(cur, "maintenance_options", list(None)),
        },
    ));
    out.push((
        "private_dns_name_options",
        match i.private_dns_name_options() {
            Some(d) => list(Some(Value::object([
                ("enable_resource_name_dns_a_record", val::opt_bool(d.enable_resource_name_dns_a_record())),
                ("enable_resource_name_dns_aaaa_record", val::opt_bool(d.enable_resource_name_dns_aaaa_record())),
                ("hostname_type", val::opt_str(d.hostname_type().map(|h| h.as_str()))),
            ]))),
            None => known_or(cur, "private_dns_name_options", list(None)),
        },
    ));
    out.push((
        "capacity_reservation_specification",
        match i.capacity_reservation_specification() {
            Some(c) => {
                let target = c.capacity_reservation_target().map(|t| {
                    Value::object([
                        ("capacity_reservation_id", val::opt_str(t.capacity_reservation_id())),
                        (
                            "capacity_reservation_resource_group_arn",
                            val::opt_str(t.capacity_reservation_resource_group_arn()),
                        ),
                    ])
                });
                list(Some(Value::object([
                    (
                        "capacity_reservation_preference",
                        val::opt_str(c.capacity_reservation_preference().map(|p| p.as_str())),
                    ),
                    ("capacity_reservation_target", list(target)),
                ])))
            }
            None => known_or(cur, "capacity_reservation_specification", list(None)),
        },
    ));
    out.push(("instance_lifecycle", Value::from(i.instance_lifecycle().map(|l| l.as_str()).unwrap_or_default())));
    out.push(("spot_instance_request_id", Value::from(i.spot_instance_request_id().unwrap_or_default())));
    out.push(("instance_market_options", known_or(cur, "instance_market_options", list(None))));
    out.push(("launch_template", launch_template));
    out
}

/// The instance's launch template as its `aws:ec2launchtemplate:*` tags name it (what
/// hashicorp/aws reads), with the template's name from `names` (ID to name). The configured
/// `$Default` / `$Latest` is kept rather than replaced by the number it resolved to.
pub fn read_launch_template(i: &ApiInstance, cur: &Value, names: &std::collections::HashMap<String, String>) -> Value {
    let tag = |k: &str| i.tags().iter().find(|t| t.key() == Some(k)).and_then(|t| t.value()).map(str::to_string);
    let Some(id) = tag("aws:ec2launchtemplate:id") else { return list(None) };
    let version = tag("aws:ec2launchtemplate:version").unwrap_or_default();
    let configured = val::block(cur, "launch_template").and_then(|b| val::string(&b, "version"));
    let version = match configured {
        Some(v) if v == "$Default" || v == "$Latest" => v,
        _ => version,
    };
    list(Some(Value::object([
        ("id", Value::from(id.as_str())),
        ("name", val::opt_str(names.get(&id).map(String::as_str))),
        ("version", Value::from(version)),
    ])))
}

/// The launch template IDs an instance was launched from.
pub fn launch_template_id(i: &ApiInstance) -> Option<String> {
    i.tags().iter().find(|t| t.key() == Some("aws:ec2launchtemplate:id")).and_then(|t| t.value()).map(str::to_string)
}

/// Launch template names by ID, with one DescribeLaunchTemplates.
pub async fn launch_template_names(c: &Ctx<'_>, ids: &[String]) -> Result<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for page in crate::resource::chunks(ids, 200) {
        let r = c
            .clients
            .ec2
            .describe_launch_templates()
            .set_launch_template_ids(Some(page))
            .send()
            .await
            .map_err(|e| sdk_error("reading launch templates", e))?;
        for t in r.launch_templates() {
            if let (Some(id), Some(name)) = (t.launch_template_id(), t.launch_template_name()) {
                out.insert(id.to_string(), name.to_string());
            }
        }
    }
    Ok(out)
}

/// CPU credit specifications by instance ID, one DescribeInstanceCreditSpecifications per
/// 1,000 burstable instances.
pub async fn credits(c: &Ctx<'_>, ids: &[String]) -> Result<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for page in crate::resource::chunks(ids, 1000) {
        if page.is_empty() {
            continue;
        }
        let mut pages = c
            .clients
            .ec2
            .describe_instance_credit_specifications()
            .set_instance_ids(Some(page))
            .into_paginator()
            .items()
            .send();
        loop {
            match pages.try_next().await {
                Ok(Some(s)) => {
                    if let (Some(id), Some(cr)) = (s.instance_id(), s.cpu_credits()) {
                        out.insert(id.to_string(), cr.to_string());
                    }
                }
                Ok(None) => break,
                // China and GovCloud answer UnsupportedOperation: no credits to read.
                Err(e) if crate::errors::code(&e) == Some("UnsupportedOperation") => break,
                Err(e) => return Err(sdk_error("reading CPU credit specifications", e)),
            }
        }
    }
    Ok(out)
}

fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    planned.get_attr(k).is_some_and(Value::is_wholly_known) && planned.get_attr(k) != prior.get_attr(k)
}

/// The in-place changes of these options.
pub async fn update(c: &Ctx<'_>, id: &str, prior: &Value, planned: &Value) -> Result<()> {
    let ec2 = &c.clients.ec2;
    if changed(prior, planned, "maintenance_options")
        && let Some(r) = val::block(planned, "maintenance_options").and_then(|m| s(&m, "auto_recovery"))
    {
        ec2.modify_instance_maintenance_options()
            .instance_id(id)
            .auto_recovery(InstanceAutoRecoveryState::from(r.as_str()))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("changing the maintenance options of instance {id}"), e))?;
    }
    if changed(prior, planned, "credit_specification")
        && let Some(cr) = val::block(planned, "credit_specification").and_then(|b| s(&b, "cpu_credits"))
    {
        ec2.modify_instance_credit_specification()
            .instance_credit_specifications(
                InstanceCreditSpecificationRequest::builder().instance_id(id).cpu_credits(cr).build(),
            )
            .send()
            .await
            .map_err(|e| sdk_error(&format!("changing the CPU credits of instance {id}"), e))?;
    }
    if changed(prior, planned, "capacity_reservation_specification")
        && let Some(spec) = capacity_request(planned)
    {
        ec2.modify_instance_capacity_reservation_attributes()
            .instance_id(id)
            .capacity_reservation_specification(spec)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("changing the capacity reservation of instance {id}"), e))?;
    }
    Ok(())
}
