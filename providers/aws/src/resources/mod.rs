//! Resource types, one file each.

mod acm_certificate;
mod cloudwatch_log_group;
mod db_instance;
mod db_subnet_group;
mod ebs_volume;
mod elasticache_cluster;
mod elasticache_replication_group;
mod elasticache_subnet_group;
mod iam_instance_profile;
mod iam_role;
mod iam_role_policy;
mod instance;
mod instance_devices;
mod instance_metadata;
mod instance_options;
mod internet_gateway;
mod key_pair;
mod kms_alias;
mod kms_key;
mod lb;
mod lb_attributes;
mod lb_capacity;
mod lb_listener;
mod lb_listener_attributes;
mod lb_listener_auth;
mod lb_subnets;
mod lb_target_group;
mod lb_target_group_attachment;
mod lb_target_group_attributes;
mod route;
mod route_table;
mod route_table_association;
mod s3_bucket;
mod s3_bucket_legacy;
mod s3_bucket_policy;
mod s3_bucket_public_access_block;
mod s3_bucket_server_side_encryption_configuration;
mod s3_bucket_versioning;
mod security_group;
mod security_group_rule;
mod subnet;
mod volume_attachment;
pub(crate) mod vpc;

use crate::resource::ResourceType;

pub fn all() -> Vec<Box<dyn ResourceType>> {
    vec![
        Box::new(cloudwatch_log_group::LogGroup),
        Box::new(security_group::SecurityGroup),
        Box::new(subnet::Subnet),
        Box::new(vpc::Vpc),
        Box::new(internet_gateway::InternetGateway),
        Box::new(route_table::RouteTable),
        Box::new(route::Route),
        Box::new(route_table_association::RouteTableAssociation),
        Box::new(security_group_rule::SecurityGroupRule),
        Box::new(key_pair::KeyPair),
        Box::new(kms_key::KmsKey),
        Box::new(kms_alias::KmsAlias),
        Box::new(instance::Instance),
        Box::new(db_instance::RdsInstance),
        Box::new(db_subnet_group::RdsSubnetGroup),
        Box::new(elasticache_cluster::EcCluster),
        Box::new(elasticache_replication_group::EcReplicationGroup),
        Box::new(elasticache_subnet_group::EcSubnetGroup),
        Box::new(iam_instance_profile::IamInstanceProfile),
        Box::new(iam_role::IamRole),
        Box::new(iam_role_policy::IamRolePolicy),
        Box::new(lb::Lb),
        Box::new(lb_listener::LbListener),
        Box::new(lb_target_group::LbTargetGroup),
        Box::new(lb_target_group_attachment::LbTargetGroupAttachment),
        Box::new(acm_certificate::AcmCertificate),
        Box::new(ebs_volume::EbsVolume),
        Box::new(volume_attachment::VolumeAttachment),
        Box::new(s3_bucket::S3Bucket),
        Box::new(s3_bucket_versioning::S3BucketVersioning),
        Box::new(s3_bucket_server_side_encryption_configuration::S3BucketSse),
        Box::new(s3_bucket_public_access_block::S3BucketPublicAccessBlock),
        Box::new(s3_bucket_policy::S3BucketPolicy),
    ]
}
