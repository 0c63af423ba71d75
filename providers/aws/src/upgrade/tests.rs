//! Each transition with hashicorp/aws's own test cases (the file named on each test, under
//! internal/service/), then each type's older states through the provider's `upgrade_state`.

use super::*;
use serde_json::json;
use terrane_engine::provider::Provider;

fn flat(pairs: &[(&str, &str)]) -> Flat {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A flatmap value as hashicorp's MigrateState tests read it: Go's map lookup, "" when absent.
fn at<'a>(f: &'a Flat, k: &str) -> &'a str {
    f.get(k).map_or("", String::as_str)
}

async fn upgraded(type_name: &str, version: u64, attributes: J) -> Result<J, ProviderError> {
    crate::AwsProvider::default().upgrade_state(type_name, version, attributes).await
}

fn schema_of(type_name: &str) -> &'static Schema {
    &crate::CATALOG.schema.resources[type_name].block
}

/// `given`, and every other top-level attribute of the type's schema null and every other list
/// or set block empty: how the SDK's normalisation records what a state did not hold.
fn full(type_name: &str, given: J) -> J {
    let schema = schema_of(type_name);
    let mut m = given.as_object().cloned().unwrap_or_default();
    for name in schema.attributes.keys() {
        m.entry(name.clone()).or_insert(J::Null);
    }
    for (name, b) in &schema.blocks {
        let none = if b.nesting == Nesting::Single || b.attribute_syntax { J::Null } else { json!([]) };
        m.entry(name.clone()).or_insert(none);
    }
    J::Object(m)
}

// ---- MigrateState, hashicorp's cases (flatmap) ----

#[test]
fn vpc_migrate_state_hashicorp_cases() {
    // ec2/vpc_migrate_test.go, TestVPCMigrateState.
    let mut v0_1 = flat(&[("id", "some_id"), ("assign_generated_ipv6_cidr_block", "true")]);
    vpc_migrate(0, &mut v0_1).unwrap();
    assert_eq!(at(&v0_1, "assign_generated_ipv6_cidr_block"), "false");
    let mut without_value = flat(&[("id", "some_id")]);
    vpc_migrate(0, &mut without_value).unwrap();
    assert_eq!(at(&without_value, "assign_generated_ipv6_cidr_block"), "false");
}

#[test]
fn subnet_migrate_state_hashicorp_cases() {
    // ec2/vpc_subnet_migrate_test.go, TestSubnetMigrateState.
    let mut without_value = flat(&[("id", "some_id")]);
    subnet_migrate(0, &mut without_value).unwrap();
    assert_eq!(without_value.get("assign_ipv6_address_on_creation").map(String::as_str), Some("false"));
}

#[test]
fn security_group_migrate_state_hashicorp_cases() {
    // ec2/vpc_security_group_migrate_test.go, TestSecurityGroupMigrateState.
    let mut v0 = flat(&[("id", "i-abc123"), ("name", "test")]);
    security_group_migrate(0, &mut v0).unwrap();
    assert_eq!(v0, flat(&[("id", "i-abc123"), ("name", "test"), ("revoke_rules_on_delete", "false")]));
}

#[test]
fn key_pair_migrate_state_hashicorp_cases() {
    // ec2/ec2_key_pair_migrate_test.go, TestKeyPairMigrateState.
    let key = "ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEA4LBtwcFsQAYWw1cnOwRTZCJCzPSzq0dl3== comment";
    for recorded in [key.to_string(), format!("{key}\n")] {
        let mut s = flat(&[
            ("id", "tf-testing-file"),
            ("fingerprint", "1d:cd:46:31:a9:4a:e0:06:8a:a1:22:cb:3b:bf:8e:42"),
            ("key_name", "tf-testing-file"),
            ("public_key", recorded.as_str()),
        ]);
        key_pair_migrate(0, &mut s).unwrap();
        assert_eq!(at(&s, "public_key"), key);
        assert_eq!(at(&s, "fingerprint"), "1d:cd:46:31:a9:4a:e0:06:8a:a1:22:cb:3b:bf:8e:42");
    }
}

#[test]
fn security_group_rule_migrate_state_hashicorp_cases() {
    // ec2/vpc_security_group_rule_migrate_test.go, TestSecurityGroupRuleMigrateState.
    let v0_1 = flat(&[
        ("id", "sg-4235098228"),
        ("self", "false"),
        ("to_port", "0"),
        ("security_group_id", "sg-13877277"),
        ("cidr_blocks.#", "0"),
        ("type", "ingress"),
        ("protocol", "-1"),
        ("from_port", "0"),
        ("source_security_group_id", "sg-11877275"),
    ]);
    let v0_2 = flat(&[
        ("id", "sg-1021609891"),
        ("security_group_id", "sg-0981746d"),
        ("from_port", "0"),
        ("to_port", "0"),
        ("type", "ingress"),
        ("self", "false"),
        ("protocol", "-1"),
        ("cidr_blocks.0", "172.16.1.0/24"),
        ("cidr_blocks.1", "172.16.2.0/24"),
        ("cidr_blocks.2", "172.16.3.0/24"),
        ("cidr_blocks.3", "172.16.4.0/24"),
        ("cidr_blocks.#", "4"),
    ]);
    for (state, want) in [(v0_1, "sgrule-2889201120"), (v0_2, "sgrule-1826358977")] {
        // Version 1 goes through the same step as version 0.
        for version in [0, 1] {
            let mut s = state.clone();
            security_group_rule_migrate(version, &mut s).unwrap();
            assert_eq!(at(&s, "id"), want);
        }
    }
}

#[test]
fn security_group_rule_migration_hashes_ports_self_and_sorted_cidrs() {
    // The same rule whatever order its CIDR blocks were recorded in; `self` adds the group.
    let rule = |cidrs: [&str; 2], this: &str| {
        let mut s = flat(&[
            ("id", "sgrule-1"),
            ("security_group_id", "sg-1"),
            ("type", "egress"),
            ("protocol", "tcp"),
            ("from_port", "80"),
            ("to_port", "443"),
            ("self", this),
            ("cidr_blocks.#", "2"),
            ("cidr_blocks.0", cidrs[0]),
            ("cidr_blocks.1", cidrs[1]),
        ]);
        security_group_rule_migrate(0, &mut s).unwrap();
        at(&s, "id").to_string()
    };
    let b = "sg-1-80-443-tcp-egress-10.0.0.0/8-192.168.0.0/16-";
    assert_eq!(rule(["192.168.0.0/16", "10.0.0.0/8"], "false"), format!("sgrule-{}", crc32(b.as_bytes())));
    assert_eq!(rule(["10.0.0.0/8", "192.168.0.0/16"], "false"), format!("sgrule-{}", crc32(b.as_bytes())));
    let with_self = format!("{b}sg-1--");
    assert_eq!(rule(["10.0.0.0/8", "192.168.0.0/16"], "true"), format!("sgrule-{}", crc32(with_self.as_bytes())));
}

#[test]
fn security_group_rule_migration_needs_integer_ports() {
    let mut s = flat(&[("id", "sgrule-1"), ("security_group_id", "sg-1"), ("from_port", "0"), ("protocol", "-1")]);
    assert_eq!(
        security_group_rule_migrate(0, &mut s),
        Err("making new IP Permission in Security Group migration".to_string())
    );
}

#[test]
fn instance_migrate_state_hashicorp_cases() {
    // ec2/ec2_instance_migrate_test.go, TestInstanceMigrateState: "v0.3.6 and earlier".
    let mut v036 = flat(&[
        ("id", "i-abc123"),
        ("block_device.#", "2"),
        ("block_device.3851383343.delete_on_termination", "true"),
        ("block_device.3851383343.device_name", "/dev/sdx"),
        ("block_device.3851383343.encrypted", "false"),
        ("block_device.3851383343.snapshot_id", ""),
        ("block_device.3851383343.virtual_name", ""),
        ("block_device.3851383343.volume_size", "5"),
        ("block_device.3851383343.volume_type", "standard"),
        ("block_device.3101711606.delete_on_termination", "false"),
        ("block_device.3101711606.device_name", "/dev/sdy"),
        ("block_device.3101711606.encrypted", "false"),
        ("block_device.3101711606.snapshot_id", ""),
        ("block_device.3101711606.virtual_name", "ephemeral0"),
        ("block_device.3101711606.volume_size", ""),
        ("block_device.3101711606.volume_type", ""),
        ("block_device.56575650.delete_on_termination", "true"),
        ("block_device.56575650.device_name", "/dev/sda1"),
        ("block_device.56575650.encrypted", "false"),
        ("block_device.56575650.snapshot_id", ""),
        ("block_device.56575650.volume_size", "10"),
        ("block_device.56575650.volume_type", "standard"),
    ]);
    instance_migrate(0, &mut v036).unwrap();
    let expected_036 = [
        ("ebs_block_device.#", "1"),
        ("ebs_block_device.3851383343.delete_on_termination", "true"),
        ("ebs_block_device.3851383343.device_name", "/dev/sdx"),
        ("ebs_block_device.3851383343.encrypted", "false"),
        ("ebs_block_device.3851383343.snapshot_id", ""),
        ("ebs_block_device.3851383343.volume_size", "5"),
        ("ebs_block_device.3851383343.volume_type", "standard"),
        ("ephemeral_block_device.#", "1"),
        ("ephemeral_block_device.2458403513.device_name", "/dev/sdy"),
        ("ephemeral_block_device.2458403513.virtual_name", "ephemeral0"),
        ("root_block_device.#", "1"),
        ("root_block_device.3018388612.delete_on_termination", "true"),
        ("root_block_device.3018388612.device_name", "/dev/sda1"),
        ("root_block_device.3018388612.snapshot_id", ""),
        ("root_block_device.3018388612.volume_size", "10"),
        ("root_block_device.3018388612.volume_type", "standard"),
    ];
    for (k, v) in expected_036 {
        assert_eq!(at(&v036, k), v, "{k}");
    }
    // What hashicorp's check (absent reads as "") does not tell apart: the root device's
    // snapshot ID and the ephemeral device's volume type are dropped, the EBS device's
    // virtual name too; the ephemeral device keeps its snapshot ID; no `block_device` is left.
    assert!(!v036.contains_key("root_block_device.3018388612.snapshot_id"));
    assert!(!v036.contains_key("ephemeral_block_device.2458403513.volume_type"));
    assert!(!v036.contains_key("ebs_block_device.3851383343.virtual_name"));
    assert_eq!(v036.get("ephemeral_block_device.2458403513.snapshot_id").map(String::as_str), Some(""));
    assert!(!v036.keys().any(|k| k.starts_with("block_device")));

    // "v0.3.7": root_block_device already recorded; block_device holds the rest.
    let mut v037 = flat(&[
        ("id", "i-abc123"),
        ("block_device.#", "2"),
        ("block_device.3851383343.delete_on_termination", "true"),
        ("block_device.3851383343.device_name", "/dev/sdx"),
        ("block_device.3851383343.encrypted", "false"),
        ("block_device.3851383343.snapshot_id", ""),
        ("block_device.3851383343.virtual_name", ""),
        ("block_device.3851383343.volume_size", "5"),
        ("block_device.3851383343.volume_type", "standard"),
        ("block_device.3851383343.iops", ""),
        ("block_device.3101711606.delete_on_termination", "false"),
        ("block_device.3101711606.device_name", "/dev/sdy"),
        ("block_device.3101711606.encrypted", "false"),
        ("block_device.3101711606.snapshot_id", ""),
        ("block_device.3101711606.virtual_name", "ephemeral0"),
        ("block_device.3101711606.volume_size", ""),
        ("block_device.3101711606.volume_type", ""),
        ("block_device.3101711606.iops", ""),
        ("root_block_device.#", "1"),
        ("root_block_device.3018388612.delete_on_termination", "true"),
        ("root_block_device.3018388612.device_name", "/dev/sda1"),
        ("root_block_device.3018388612.snapshot_id", ""),
        ("root_block_device.3018388612.volume_size", "10"),
        ("root_block_device.3018388612.volume_type", "io1"),
        ("root_block_device.3018388612.iops", "1000"),
    ]);
    instance_migrate(0, &mut v037).unwrap();
    let expected_037 = [
        ("ebs_block_device.#", "1"),
        ("ebs_block_device.3851383343.delete_on_termination", "true"),
        ("ebs_block_device.3851383343.device_name", "/dev/sdx"),
        ("ebs_block_device.3851383343.encrypted", "false"),
        ("ebs_block_device.3851383343.snapshot_id", ""),
        ("ebs_block_device.3851383343.volume_size", "5"),
        ("ebs_block_device.3851383343.volume_type", "standard"),
        ("ephemeral_block_device.#", "1"),
        ("ephemeral_block_device.2458403513.device_name", "/dev/sdy"),
        ("ephemeral_block_device.2458403513.virtual_name", "ephemeral0"),
        ("root_block_device.#", "1"),
        ("root_block_device.3018388612.delete_on_termination", "true"),
        ("root_block_device.3018388612.device_name", "/dev/sda1"),
        ("root_block_device.3018388612.snapshot_id", ""),
        ("root_block_device.3018388612.volume_size", "10"),
        ("root_block_device.3018388612.volume_type", "io1"),
        ("root_block_device.3018388612.iops", "1000"),
    ];
    for (k, v) in expected_037 {
        assert_eq!(at(&v037, k), v, "{k}");
    }
}

#[test]
fn instance_migration_refuses_block_device_keys_it_cannot_read() {
    let mut s = flat(&[("id", "i-1"), ("block_device.1.ebs.size", "8")]);
    assert_eq!(
        instance_migrate(0, &mut s),
        Err("Found unexpected block_device field: \"block_device.1.ebs.size\"".into())
    );
}

#[test]
fn migrate_states_leave_a_state_without_id_alone() {
    // The `_empty` tests (ec2/ec2_instance_migrate_test.go, vpc_security_group_migrate_test.go):
    // an empty InstanceState passes through without error.
    let migrations: [(MigrateState, u64); 6] = [
        (vpc_migrate, 0),
        (subnet_migrate, 0),
        (security_group_migrate, 0),
        (key_pair_migrate, 0),
        (security_group_rule_migrate, 0),
        (instance_migrate, 0),
    ];
    for (migrate, version) in migrations {
        for recorded in [flat(&[]), flat(&[("id", ""), ("block_device.#", "1"), ("public_key", "k\n")])] {
            let mut s = recorded.clone();
            migrate(version, &mut s).unwrap();
            assert_eq!(s, recorded);
        }
    }
}

#[test]
fn migrate_states_refuse_versions_they_do_not_know() {
    let mut s = flat(&[("id", "x")]);
    assert_eq!(vpc_migrate(1, &mut s), Err("Unexpected schema version: 1".into()));
    assert_eq!(subnet_migrate(1, &mut s), Err("Unexpected schema version: 1".into()));
    assert_eq!(security_group_migrate(1, &mut s), Err("unexpected schema version: 1".into()));
    assert_eq!(key_pair_migrate(1, &mut s), Err("Unexpected schema version: 1".into()));
    assert_eq!(instance_migrate(1, &mut s), Err("Unexpected schema version: 1".into()));
    assert_eq!(security_group_rule_migrate(2, &mut s), Err("Unexpected schema version: 2".into()));
    assert_eq!(s, flat(&[("id", "x")]));
}

// ---- StateUpgraders, hashicorp's cases (JSON) ----

#[test]
fn db_instance_state_upgrade_v0_hashicorp_cases() {
    // rds/instance_migrate_test.go, TestInstanceStateUpgradeV0.
    assert_eq!(db_instance_v0(J::Null), J::Null);
    let input = json!({
        "allocated_storage": 10, "engine": "mariadb", "identifier": "my-test-instance",
        "instance_class": "db.t2.micro", "password": "avoid-plaintext-passwords",
        "username": "tfacctest", "tags": {"key1": "value1"}
    });
    let expected = json!({
        "allocated_storage": 10, "delete_automated_backups": true, "engine": "mariadb",
        "identifier": "my-test-instance", "instance_class": "db.t2.micro",
        "password": "avoid-plaintext-passwords", "username": "tfacctest", "tags": {"key1": "value1"}
    });
    assert_eq!(db_instance_v0(input), expected);
}

#[test]
fn db_instance_state_upgrade_v1_hashicorp_cases() {
    // rds/instance_migrate_test.go, TestInstanceStateUpgradeV1.
    assert_eq!(db_instance_v1(J::Null), J::Null);
    let input = json!({
        "allocated_storage": 10, "engine": "mariadb", "id": "my-test-instance",
        "identifier": "my-test-instance", "instance_class": "db.t2.micro",
        "password": "avoid-plaintext-passwords", "resource_id": "db-cnuap2ilnbmok4eunzklfvwjca",
        "tags": {"key1": "value1"}, "username": "tfacctest"
    });
    let mut expected = input.clone();
    expected["id"] = json!("db-cnuap2ilnbmok4eunzklfvwjca");
    assert_eq!(db_instance_v1(input), expected);
    // Go's `rawState["id"] = rawState["resource_id"]`: nil, null, without one.
    assert_eq!(db_instance_v1(json!({"id": "my-test-instance"})), json!({"id": null}));
}

#[test]
fn replication_group_state_upgrade_v1_hashicorp_cases() {
    // elasticache/replication_group_migrate_test.go, Test_replicationGroupStateUpgradeFromV1
    // (the same function as 5.100.0's replicationGroupStateUpgradeV1).
    assert_eq!(replication_group_v1(J::Null), json!({"auth_token_update_strategy": "ROTATE"}));
    assert_eq!(
        replication_group_v1(json!({"auth_token": "foo"})),
        json!({"auth_token": "foo", "auth_token_update_strategy": "ROTATE"})
    );
    assert_eq!(
        replication_group_v1(json!({"cluster_mode.num_node_groups": "2", "cluster_mode.replicas_per_node_group": "2"})),
        json!({"auth_token_update_strategy": "ROTATE"})
    );
    // The same block as a JSON state records it.
    assert_eq!(
        replication_group_v1(json!({"cluster_mode": [{"num_node_groups": 2, "replicas_per_node_group": 1}]})),
        json!({"auth_token_update_strategy": "ROTATE"})
    );
}

// ---- Older JSON states through upgrade_state, against what 5.100.0 records ----

#[tokio::test]
async fn key_pair_at_version_0_is_fitted_to_the_schema_only() {
    // MigrateState's trimming is not applied to a JSON state: the newline stays.
    let v0 = json!({
        "id": "deployer", "key_name": "deployer", "public_key": "ssh-rsa AAAAB3Nza deployer\n",
        "fingerprint": "1d:cd:46:31"
    });
    let expected = json!({
        "id": "deployer", "arn": null, "key_name": "deployer", "key_name_prefix": null,
        "public_key": "ssh-rsa AAAAB3Nza deployer\n", "fingerprint": "1d:cd:46:31",
        "key_pair_id": null, "key_type": null, "tags": null, "tags_all": null, "region": null
    });
    assert_eq!(upgraded("aws_key_pair", 0, v0).await.unwrap(), expected);
}

#[tokio::test]
async fn vpc_at_version_0_is_fitted_to_the_schema_only() {
    // `enable_classiclink` was removed in 5.0.0; `assign_generated_ipv6_cidr_block` stays
    // null (MigrateState would have recorded false in a flatmap).
    let v0 = json!({
        "id": "vpc-1", "cidr_block": "10.0.0.0/16", "enable_dns_support": true,
        "enable_classiclink": false, "instance_tenancy": "default", "tags": {"Name": "main"}
    });
    let expected = full(
        "aws_vpc",
        json!({
            "id": "vpc-1", "cidr_block": "10.0.0.0/16", "enable_dns_support": true,
            "instance_tenancy": "default", "tags": {"Name": "main"}
        }),
    );
    let up = upgraded("aws_vpc", 0, v0).await.unwrap();
    assert_eq!(up, expected);
    assert_eq!(up["assign_generated_ipv6_cidr_block"], J::Null);
}

#[tokio::test]
async fn subnet_at_version_0_is_fitted_to_the_schema_only() {
    let v0 = json!({
        "id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24",
        "availability_zone": "eu-west-1a", "map_public_ip_on_launch": false
    });
    let up = upgraded("aws_subnet", 0, v0.clone()).await.unwrap();
    assert_eq!(up, full("aws_subnet", v0));
    assert_eq!(up["assign_ipv6_address_on_creation"], J::Null);
    assert_eq!(up["timeouts"], J::Null);
}

#[tokio::test]
async fn security_group_at_version_0_is_fitted_to_the_schema_only() {
    let v0 = json!({
        "id": "sg-1", "name": "web", "description": "Managed by Terraform", "vpc_id": "vpc-1",
        "owner_id": "123456789012",
        "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"], "self": false}],
        "tags": {}
    });
    let up = upgraded("aws_security_group", 0, v0).await.unwrap();
    let ingress = json!([{
        "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"],
        "ipv6_cidr_blocks": null, "prefix_list_ids": null, "security_groups": null,
        "self": false, "description": null
    }]);
    let expected = full(
        "aws_security_group",
        json!({
            "id": "sg-1", "name": "web", "description": "Managed by Terraform", "vpc_id": "vpc-1",
            "owner_id": "123456789012", "ingress": ingress, "tags": {}
        }),
    );
    assert_eq!(up, expected);
    // An attribute in the SDK's schema (ConfigModeAttr), not a block: it stays null.
    assert_eq!(up["egress"], J::Null);
    assert_eq!(up["revoke_rules_on_delete"], J::Null);
}

#[tokio::test]
async fn security_group_rule_at_versions_0_and_1_keeps_its_id() {
    // The ID is recomputed by MigrateState only, which a JSON state does not go through.
    let recorded = json!({
        "id": "sgrule-4235098228", "type": "ingress", "from_port": 0, "to_port": 0, "protocol": "-1",
        "security_group_id": "sg-13877277", "source_security_group_id": "sg-11877275", "self": false
    });
    for version in [0, 1] {
        let up = upgraded("aws_security_group_rule", version, recorded.clone()).await.unwrap();
        assert_eq!(up, full("aws_security_group_rule", recorded.clone()));
    }
}

#[tokio::test]
async fn instance_at_version_0_is_fitted_to_the_schema_only() {
    let v0 = json!({
        "id": "i-abc123", "ami": "ami-1", "instance_type": "t3.micro",
        "block_device": [{"device_name": "/dev/sdx", "volume_size": 5}],
        "root_block_device": [{
            "device_name": "/dev/sda1", "volume_size": 10, "volume_type": "io1", "iops": 1000,
            "delete_on_termination": true, "virtual_name": "gone"
        }]
    });
    let up = upgraded("aws_instance", 0, v0).await.unwrap();
    let schema = schema_of("aws_instance");
    let root_schema = &schema.blocks["root_block_device"].schema;
    let mut root = json!({
        "device_name": "/dev/sda1", "volume_size": 10, "volume_type": "io1", "iops": 1000,
        "delete_on_termination": true
    });
    for name in root_schema.attributes.keys() {
        root.as_object_mut().unwrap().entry(name.clone()).or_insert(J::Null);
    }
    let expected = full(
        "aws_instance",
        json!({"id": "i-abc123", "ami": "ami-1", "instance_type": "t3.micro", "root_block_device": [root]}),
    );
    assert_eq!(up, expected);
    assert!(up.get("block_device").is_none());
    assert_eq!(up["ebs_block_device"], json!([]));
    assert_eq!(up["ephemeral_block_device"], json!([]));
}

#[tokio::test]
async fn db_instance_at_versions_0_and_1_takes_both_upgraders() {
    // A state of hashicorp/aws 4.x or older: `name` (removed in 5.0.0) goes, the ID becomes the
    // resource ID, delete_automated_backups is recorded as true (from 0 only).
    let v0 = json!({
        "id": "my-test-instance", "identifier": "my-test-instance", "name": "app",
        "resource_id": "db-cnuap2ilnbmok4eunzklfvwjca", "allocated_storage": 10, "engine": "mariadb",
        "instance_class": "db.t2.micro", "username": "tfacctest", "tags": {"key1": "value1"}
    });
    let up = upgraded("aws_db_instance", 0, v0).await.unwrap();
    let expected = full(
        "aws_db_instance",
        json!({
            "id": "db-cnuap2ilnbmok4eunzklfvwjca", "identifier": "my-test-instance",
            "resource_id": "db-cnuap2ilnbmok4eunzklfvwjca", "allocated_storage": 10, "engine": "mariadb",
            "instance_class": "db.t2.micro", "username": "tfacctest", "tags": {"key1": "value1"},
            "delete_automated_backups": true
        }),
    );
    assert_eq!(up, expected);

    let v1 = json!({
        "id": "my-test-instance", "identifier": "my-test-instance",
        "resource_id": "db-cnuap2ilnbmok4eunzklfvwjca", "delete_automated_backups": false
    });
    let up = upgraded("aws_db_instance", 1, v1).await.unwrap();
    let expected = full(
        "aws_db_instance",
        json!({
            "id": "db-cnuap2ilnbmok4eunzklfvwjca", "identifier": "my-test-instance",
            "resource_id": "db-cnuap2ilnbmok4eunzklfvwjca", "delete_automated_backups": false
        }),
    );
    assert_eq!(up, expected);
}

#[tokio::test]
async fn replication_group_at_version_1_loses_the_4x_cluster_mode_block() {
    // As hashicorp/aws 4.67.0 recorded it: the cluster_mode block and arguments 5.0.0 removed.
    let v1 = json!({
        "id": "rg", "replication_group_id": "rg", "description": "cache",
        "replication_group_description": "cache", "number_cache_clusters": 2,
        "availability_zones": ["eu-west-1a"], "num_cache_clusters": 2, "node_type": "cache.t3.micro",
        "cluster_mode": [{"num_node_groups": 1, "replicas_per_node_group": 1}]
    });
    let up = upgraded("aws_elasticache_replication_group", 1, v1).await.unwrap();
    let expected = full(
        "aws_elasticache_replication_group",
        json!({
            "id": "rg", "replication_group_id": "rg", "description": "cache", "num_cache_clusters": 2,
            "node_type": "cache.t3.micro", "auth_token_update_strategy": "ROTATE"
        }),
    );
    assert_eq!(up, expected);
    assert_eq!(up["cluster_mode"], J::Null);
}

#[tokio::test]
async fn replication_group_at_version_0_runs_no_upgrader() {
    // The only upgrader reads version 1; the SDK runs none for a JSON state at 0 …
    let v0 = json!({"id": "rg", "replication_group_id": "rg"});
    let up = upgraded("aws_elasticache_replication_group", 0, v0.clone()).await.unwrap();
    assert_eq!(up, full("aws_elasticache_replication_group", v0));
    assert_eq!(up["auth_token_update_strategy"], J::Null);
    // … so a cluster_mode block left in it does not decode as the string cluster_mode is now.
    let with_block = json!({"id": "rg", "cluster_mode": [{"num_node_groups": 1}]});
    let err = upgraded("aws_elasticache_replication_group", 0, with_block).await.unwrap_err();
    assert!(err.message.starts_with("cluster_mode: "), "{}", err.message);
}

#[tokio::test]
async fn a_type_without_upgrades_is_fitted_to_the_schema() {
    let up = upgraded("aws_iam_role", 0, json!({"id": "r", "name": "r", "gone": 1})).await.unwrap();
    assert_eq!(up, full("aws_iam_role", json!({"id": "r", "name": "r"})));
    assert!(upgraded("aws_nothing", 0, json!({})).await.is_err());
}

// ---- Flatmap: which version MigrateState leaves the state at ----

#[test]
fn flatmap_states_are_migrated_only_before_the_first_upgrader() {
    let migrate = crate::AwsProvider::migrate_flatmap_state;
    let vpc = flat(&[("id", "vpc-1")]);
    // No StateUpgraders: MigrateState runs below the schema version, and the SDK reads the
    // result with the current schema, still counting it at the recorded version.
    let (out, v) = migrate("aws_vpc", 0, vpc.clone()).unwrap();
    assert_eq!((at(&out, "assign_generated_ipv6_cidr_block"), v), ("false", 0));
    assert_eq!(migrate("aws_vpc", 1, vpc.clone()).unwrap(), (vpc, 1));
    let rule = flat(&[("id", "sgrule-1"), ("security_group_id", "sg-1"), ("from_port", "0"), ("to_port", "0")]);
    let (out, v) = migrate("aws_security_group_rule", 1, rule).unwrap();
    assert_eq!((at(&out, "id").to_string(), v), (format!("sgrule-{}", crc32(b"sg-1---")), 1));
    // StateUpgraders from 0 (aws_db_instance): nothing for MigrateState to do.
    let db = flat(&[("id", "db"), ("identifier", "db")]);
    assert_eq!(migrate("aws_db_instance", 0, db.clone()).unwrap(), (db.clone(), 0));
    // From 1 (aws_elasticache_replication_group): the pass-through MigrateState takes 0 to 1.
    let rg = flat(&[("id", "rg"), ("cluster_mode.#", "1")]);
    assert_eq!(migrate("aws_elasticache_replication_group", 0, rg.clone()).unwrap(), (rg.clone(), 1));
    assert_eq!(migrate("aws_elasticache_replication_group", 1, rg.clone()).unwrap(), (rg, 1));
    assert!(migrate("aws_vpc", 0, flat(&[("id", "x")])).is_ok());
    assert!(migrate("aws_security_group_rule", 0, flat(&[("id", "x")])).is_err());
}

// ---- Declarations ----

#[test]
fn declared_upgrades_are_hashicorp_5_100_0s_and_reach_each_schema_version() {
    let mut versions = Vec::new();
    for r in crate::resources::all() {
        let (v, u) = (r.schema_version(), r.state_upgrades());
        if v == 0 {
            assert!(u.migrate_state.is_none() && u.state_upgraders.is_empty(), "{}", r.name());
            continue;
        }
        versions.push((r.name(), v));
        // Upgraders one version apart, up to the schema version; below the first, MigrateState.
        let from: Vec<u64> = u.state_upgraders.iter().map(|(f, _)| *f).collect();
        let start = from.first().copied().unwrap_or(v);
        assert_eq!(from, (start..v).collect::<Vec<_>>(), "{}", r.name());
        assert_eq!(start > 0, u.migrate_state.is_some(), "{}", r.name());
    }
    versions.sort();
    assert_eq!(
        versions,
        [
            ("aws_db_instance", 2),
            ("aws_elasticache_replication_group", 2),
            ("aws_instance", 1),
            ("aws_key_pair", 1),
            ("aws_security_group", 1),
            ("aws_security_group_rule", 2),
            ("aws_subnet", 1),
            ("aws_vpc", 1),
        ]
    );
}
