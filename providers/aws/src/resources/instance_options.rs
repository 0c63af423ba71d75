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
use aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder;
use aws_sdk_ec2::types::{
    AmdSevSnpSpecification, CapacityReservationPreference, CapacityReservationSpecification, CapacityReservationTarget,
    CpuOptionsRequest, CreditSpecificationRequest, EnclaveOptionsRequest, HibernationOptionsRequest, HostnameType,
    Instance as ApiInstance, InstanceAutoRecoveryState, InstanceCreditSpecificationRequest,
    InstanceMaintenanceOptionsRequest, LaunchTemplateSpecification, Placement, PrivateDnsNameOptionsRequest, Tenancy,
};
use terrane_engine::model::Model;

/// The launch template version hashicorp/aws uses when none is given.
pub const DEFAULT_VERSION: &str = "$Default";

/// The arguments and blocks of this module (flattened into the instance).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Options {
    #[model(optional, computed, force_new)]
    pub cpu_core_count: Option<i64>,
    #[model(optional, computed, force_new)]
    pub cpu_threads_per_core: Option<i64>,
    #[model(optional, force_new)]
    pub hibernation: Option<bool>,
    #[model(optional, computed, force_new)]
    pub host_id: Option<String>,
    #[model(optional, computed)]
    pub host_resource_group_arn: Option<String>,
    #[model(optional, computed, force_new)]
    pub placement_group: Option<String>,
    #[model(optional, computed, force_new)]
    pub placement_partition_number: Option<i64>,
    #[model(computed)]
    pub instance_lifecycle: Option<String>,
    #[model(computed)]
    pub spot_instance_request_id: Option<String>,
    #[model(block, max = 1, computed)]
    pub cpu_options: Option<CpuOptions>,
    #[model(block, max = 1)]
    pub credit_specification: Option<CreditSpecification>,
    #[model(block, max = 1, computed)]
    pub enclave_options: Option<EnclaveOptions>,
    #[model(block, max = 1, computed)]
    pub maintenance_options: Option<MaintenanceOptions>,
    #[model(block, max = 1, computed, force_new)]
    pub private_dns_name_options: Option<PrivateDnsNameOptions>,
    #[model(block, max = 1, computed)]
    pub capacity_reservation_specification: Option<CapacityReservation>,
    #[model(block, max = 1, force_new)]
    pub launch_template: Option<LaunchTemplate>,
    #[model(block, max = 1, computed, force_new)]
    pub instance_market_options: Option<MarketOptions>,
}

/// `cpu_options`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CpuOptions {
    #[model(optional, computed, force_new)]
    pub amd_sev_snp: Option<String>,
    #[model(optional, computed, force_new)]
    pub core_count: Option<i64>,
    #[model(optional, computed, force_new)]
    pub threads_per_core: Option<i64>,
}

/// `credit_specification`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CreditSpecification {
    #[model(optional)]
    pub cpu_credits: Option<String>,
}

/// `enclave_options`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct EnclaveOptions {
    #[model(optional, computed, force_new)]
    pub enabled: Option<bool>,
}

/// `maintenance_options`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct MaintenanceOptions {
    #[model(optional, computed)]
    pub auto_recovery: Option<String>,
}

/// `private_dns_name_options`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct PrivateDnsNameOptions {
    #[model(optional, computed)]
    pub enable_resource_name_dns_a_record: Option<bool>,
    #[model(optional, computed)]
    pub enable_resource_name_dns_aaaa_record: Option<bool>,
    #[model(optional, computed)]
    pub hostname_type: Option<String>,
}

/// `capacity_reservation_specification`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CapacityReservation {
    #[model(optional)]
    pub capacity_reservation_preference: Option<String>,
    #[model(block, max = 1)]
    pub capacity_reservation_target: Option<CapacityTarget>,
}

/// `capacity_reservation_specification.capacity_reservation_target`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CapacityTarget {
    #[model(optional)]
    pub capacity_reservation_id: Option<String>,
    #[model(optional)]
    pub capacity_reservation_resource_group_arn: Option<String>,
}

/// `launch_template`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct LaunchTemplate {
    #[model(optional, computed, force_new)]
    pub id: Option<String>,
    #[model(optional, computed, force_new)]
    pub name: Option<String>,
    #[model(optional, default = DEFAULT_VERSION)]
    pub version: String,
}

/// `instance_market_options` (declared, refused).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct MarketOptions {
    #[model(optional, computed)]
    pub market_type: Option<String>,
    #[model(block, max = 1)]
    pub spot_options: Option<SpotOptions>,
}

/// `instance_market_options.spot_options`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct SpotOptions {
    #[model(optional, computed)]
    pub instance_interruption_behavior: Option<String>,
    #[model(optional, computed)]
    pub max_price: Option<String>,
    #[model(optional, computed)]
    pub spot_instance_type: Option<String>,
    #[model(optional, computed)]
    pub valid_until: Option<String>,
}

/// The burstable instance families (T2, T3, T3a, T4g): the only ones with CPU credits, so the
/// only ones whose credit specification is read (DescribeInstanceTypes'
/// `BurstablePerformanceSupported`, known without asking).
pub fn burstable(instance_type: &str) -> bool {
    ["t2.", "t3.", "t3a.", "t4g."].iter().any(|p| instance_type.starts_with(p))
}

/// A string that is set and not empty.
pub fn s(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

fn n(v: Option<i64>) -> Option<i32> {
    v.filter(|n| *n != 0).map(|n| n as i32)
}

impl LaunchTemplate {
    /// The template's ID, or its name when it has no ID (what a request names it by).
    pub fn id_or_name(&self) -> (Option<String>, Option<String>) {
        let id = s(&self.id);
        let name = s(&self.name).filter(|_| id.is_none());
        (id, name)
    }
}

/// Adds the options the planned value sets to a RunInstances request (`instance_type`,
/// `availability_zone` and `tenancy`: the instance's).
pub fn launch(
    mut req: RunInstancesFluentBuilder,
    o: &Options,
    instance_type: &str,
    availability_zone: Option<String>,
    tenancy: Option<String>,
) -> RunInstancesFluentBuilder {
    let cpu = o.cpu_options.clone().unwrap_or_default();
    let cores = n(cpu.core_count).or_else(|| n(o.cpu_core_count));
    let threads = n(cpu.threads_per_core).or_else(|| n(o.cpu_threads_per_core));
    let sev = s(&cpu.amd_sev_snp);
    if cores.is_some() || threads.is_some() || sev.is_some() {
        req = req.cpu_options(
            CpuOptionsRequest::builder()
                .set_core_count(cores)
                .set_threads_per_core(threads)
                .set_amd_sev_snp(sev.map(|s| AmdSevSnpSpecification::from(s.as_str())))
                .build(),
        );
    }
    // hashicorp/aws asks T3 instances for unlimited credits unless told otherwise, and sends
    // a credit specification only to burstable types.
    let credits = o
        .credit_specification
        .as_ref()
        .and_then(|c| s(&c.cpu_credits))
        .filter(|_| burstable(instance_type) || instance_type.is_empty())
        .or_else(|| instance_type.starts_with("t3").then(|| "unlimited".to_string()));
    if let Some(c) = credits {
        req = req.credit_specification(CreditSpecificationRequest::builder().cpu_credits(c).build());
    }
    if let Some(true) = o.hibernation {
        req = req.hibernation_options(HibernationOptionsRequest::builder().configured(true).build());
    }
    if let Some(e) = o.enclave_options.as_ref().and_then(|e| e.enabled) {
        req = req.enclave_options(EnclaveOptionsRequest::builder().enabled(e).build());
    }
    if let Some(r) = o.maintenance_options.as_ref().and_then(|m| s(&m.auto_recovery)) {
        req = req.maintenance_options(
            InstanceMaintenanceOptionsRequest::builder()
                .auto_recovery(InstanceAutoRecoveryState::from(r.as_str()))
                .build(),
        );
    }
    if let Some(p) = &o.private_dns_name_options {
        req = req.private_dns_name_options(
            PrivateDnsNameOptionsRequest::builder()
                .set_hostname_type(s(&p.hostname_type).map(|h| HostnameType::from(h.as_str())))
                .set_enable_resource_name_dns_a_record(p.enable_resource_name_dns_a_record)
                .set_enable_resource_name_dns_aaaa_record(p.enable_resource_name_dns_aaaa_record)
                .build(),
        );
    }
    if let Some(c) = capacity_request(o.capacity_reservation_specification.as_ref()) {
        req = req.capacity_reservation_specification(c);
    }
    if let Some(lt) = &o.launch_template {
        let (id, name) = lt.id_or_name();
        req = req.launch_template(
            LaunchTemplateSpecification::builder()
                .set_launch_template_id(id)
                .set_launch_template_name(name)
                .set_version(Some(lt.version.clone()).filter(|v| !v.is_empty()))
                .build(),
        );
    }
    let placement = Placement::builder()
        .set_availability_zone(s(&availability_zone))
        .set_tenancy(s(&tenancy).map(|t| Tenancy::from(t.as_str())))
        .set_group_name(s(&o.placement_group))
        .set_partition_number(n(o.placement_partition_number))
        .set_host_id(s(&o.host_id))
        .set_host_resource_group_arn(s(&o.host_resource_group_arn))
        .build();
    if placement != Placement::builder().build() {
        req = req.placement(placement);
    }
    req
}

fn capacity_request(c: Option<&CapacityReservation>) -> Option<CapacityReservationSpecification> {
    let c = c?;
    let target = c.capacity_reservation_target.as_ref().map(|t| {
        CapacityReservationTarget::builder()
            .set_capacity_reservation_id(s(&t.capacity_reservation_id))
            .set_capacity_reservation_resource_group_arn(s(&t.capacity_reservation_resource_group_arn))
            .build()
    });
    let pref = s(&c.capacity_reservation_preference).map(|p| CapacityReservationPreference::from(p.as_str()));
    (pref.is_some() || target.is_some()).then(|| {
        CapacityReservationSpecification::builder()
            .set_capacity_reservation_preference(pref)
            .set_capacity_reservation_target(target)
            .build()
    })
}

/// The options as the instance has them; what DescribeInstances says nothing of is kept from
/// `cur` (the prior options), and so are the credit specification (read apart, see
/// [`credits`]) and the refused `instance_market_options`.
pub fn read(i: &ApiInstance, cur: &Options, launch_template: Option<LaunchTemplate>) -> Options {
    let p = i.placement();
    let cpu = i.cpu_options();
    Options {
        placement_group: Some(p.and_then(|p| p.group_name()).unwrap_or_default().to_string()),
        host_id: Some(p.and_then(|p| p.host_id()).unwrap_or_default().to_string()),
        host_resource_group_arn: p
            .and_then(|p| p.host_resource_group_arn())
            .map(str::to_string)
            .or_else(|| cur.host_resource_group_arn.clone()),
        placement_partition_number: Some(i64::from(p.and_then(|p| p.partition_number()).unwrap_or(0))),
        cpu_core_count: match cpu {
            Some(c) => c.core_count().map(i64::from),
            None => cur.cpu_core_count,
        },
        cpu_threads_per_core: match cpu {
            Some(c) => c.threads_per_core().map(i64::from),
            None => cur.cpu_threads_per_core,
        },
        cpu_options: match cpu {
            Some(c) => Some(CpuOptions {
                amd_sev_snp: c.amd_sev_snp().map(|a| a.as_str().to_string()),
                core_count: c.core_count().map(i64::from),
                threads_per_core: c.threads_per_core().map(i64::from),
            }),
            None => cur.cpu_options.clone(),
        },
        hibernation: i.hibernation_options().and_then(|h| h.configured()).or(cur.hibernation),
        enclave_options: match i.enclave_options() {
            Some(e) => Some(EnclaveOptions { enabled: e.enabled() }),
            None => cur.enclave_options.clone(),
        },
        maintenance_options: match i.maintenance_options() {
            Some(m) => Some(MaintenanceOptions { auto_recovery: m.auto_recovery().map(|a| a.as_str().to_string()) }),
            None => cur.maintenance_options.clone(),
        },
        private_dns_name_options: match i.private_dns_name_options() {
            Some(d) => Some(PrivateDnsNameOptions {
                enable_resource_name_dns_a_record: d.enable_resource_name_dns_a_record(),
                enable_resource_name_dns_aaaa_record: d.enable_resource_name_dns_aaaa_record(),
                hostname_type: d.hostname_type().map(|h| h.as_str().to_string()),
            }),
            None => cur.private_dns_name_options.clone(),
        },
        capacity_reservation_specification: match i.capacity_reservation_specification() {
            Some(c) => Some(CapacityReservation {
                capacity_reservation_preference: c.capacity_reservation_preference().map(|p| p.as_str().to_string()),
                capacity_reservation_target: c.capacity_reservation_target().map(|t| CapacityTarget {
                    capacity_reservation_id: t.capacity_reservation_id().map(str::to_string),
                    capacity_reservation_resource_group_arn: t
                        .capacity_reservation_resource_group_arn()
                        .map(str::to_string),
                }),
            }),
            None => cur.capacity_reservation_specification.clone(),
        },
        instance_lifecycle: Some(i.instance_lifecycle().map(|l| l.as_str()).unwrap_or_default().to_string()),
        spot_instance_request_id: Some(i.spot_instance_request_id().unwrap_or_default().to_string()),
        instance_market_options: cur.instance_market_options.clone(),
        credit_specification: cur.credit_specification.clone(),
        launch_template,
    }
}

/// The instance's launch template as its `aws:ec2launchtemplate:*` tags name it (what
/// hashicorp/aws reads), with the template's name from `names` (ID to name). The configured
/// `$Default` / `$Latest` (in `cur`, the prior block) is kept rather than replaced by the
/// number it resolved to.
pub fn read_launch_template(
    i: &ApiInstance,
    cur: Option<&LaunchTemplate>,
    names: &std::collections::HashMap<String, String>,
) -> Option<LaunchTemplate> {
    let tag = |k: &str| i.tags().iter().find(|t| t.key() == Some(k)).and_then(|t| t.value()).map(str::to_string);
    let id = tag("aws:ec2launchtemplate:id")?;
    let version = tag("aws:ec2launchtemplate:version").unwrap_or_default();
    let version = match cur.map(|b| b.version.as_str()) {
        Some(v @ ("$Default" | "$Latest")) => v.to_string(),
        _ => version,
    };
    Some(LaunchTemplate { name: names.get(&id).cloned(), id: Some(id), version })
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

/// The in-place changes of these options (`known`: whether a planned attribute or block is
/// known yet).
pub async fn update(
    c: &Ctx<'_>,
    id: &str,
    prior: &Options,
    planned: &Options,
    known: impl Fn(&str) -> bool,
) -> Result<()> {
    let ec2 = &c.clients.ec2;
    if known("maintenance_options")
        && planned.maintenance_options != prior.maintenance_options
        && let Some(r) = planned.maintenance_options.as_ref().and_then(|m| s(&m.auto_recovery))
    {
        ec2.modify_instance_maintenance_options()
            .instance_id(id)
            .auto_recovery(InstanceAutoRecoveryState::from(r.as_str()))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("changing the maintenance options of instance {id}"), e))?;
    }
    if known("credit_specification")
        && planned.credit_specification != prior.credit_specification
        && let Some(cr) = planned.credit_specification.as_ref().and_then(|b| s(&b.cpu_credits))
    {
        ec2.modify_instance_credit_specification()
            .instance_credit_specifications(
                InstanceCreditSpecificationRequest::builder().instance_id(id).cpu_credits(cr).build(),
            )
            .send()
            .await
            .map_err(|e| sdk_error(&format!("changing the CPU credits of instance {id}"), e))?;
    }
    if known("capacity_reservation_specification")
        && planned.capacity_reservation_specification != prior.capacity_reservation_specification
        && let Some(spec) = capacity_request(planned.capacity_reservation_specification.as_ref())
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
