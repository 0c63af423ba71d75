//! States Terraform 1.11 with the real hashicorp/aws 5.100.0 plugin wrote, planned by terrane
//! against the same configuration: no changes. The states were recorded on moto
//! (`tests/fixtures/terraform_lb/README.md`); they are planned without refreshing, so what is
//! checked is that terrane takes every value Terraform recorded (defaults it planned, values
//! its reads set, empty maps and strings where AWS has nothing) as what the configuration
//! means.

mod support;

use std::path::PathBuf;
use support::{Harness, assert_no_changes};
use terrane_engine::plan::planner::PlanOptions;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform_lb")
}

async fn plans_no_changes(name: &str) {
    let h = Harness::new();
    std::fs::copy(fixtures().join(format!("{name}.tfstate")), h.dir.path().join("terraform.tfstate")).unwrap();
    let src = std::fs::read_to_string(fixtures().join(format!("{name}.tf"))).unwrap();
    let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
    let (_, p) = h.try_plan(&src, &opts).await.unwrap_or_else(|d| panic!("{name}: plan failed:\n{d}"));
    assert_eq!(p.changes.iter().filter(|c| c.addr.resource.type_name == "aws_lb").count(), 2, "{name}");
    assert_no_changes(&p);
}

#[tokio::test]
async fn load_balancers_terraform_applied_with_their_defaults_plan_no_changes() {
    plans_no_changes("defaults").await;
}

#[tokio::test]
async fn load_balancers_terraform_applied_and_changed_plan_no_changes() {
    plans_no_changes("attributes").await;
}

#[tokio::test]
async fn load_balancers_terraform_placed_by_subnet_mapping_plan_no_changes() {
    plans_no_changes("mappings").await;
}

#[tokio::test]
async fn listeners_and_target_groups_terraform_applied_plan_no_changes() {
    plans_no_changes("listeners").await;
}
