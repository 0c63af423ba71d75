//! S3 helpers shared by the bucket resource types: their IDs (`bucket`, or
//! `bucket,expected_bucket_owner` as Terraform writes them), the error codes that mean a bucket
//! or one of its configurations is not there, and the names Terraform derives from a bucket
//! name and region (ARN, domain names, website hosted zone).

use crate::errors::code;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// A sub-resource ID: the bucket and, when given, the expected bucket owner.
pub fn parse_id(id: &str) -> (String, Option<String>) {
    match id.split_once(',') {
        Some((bucket, owner)) if !owner.is_empty() => (bucket.to_string(), Some(owner.to_string())),
        Some((bucket, _)) => (bucket.to_string(), None),
        None => (id.to_string(), None),
    }
}

pub fn format_id(bucket: &str, owner: Option<&str>) -> String {
    match owner {
        Some(o) if !o.is_empty() => format!("{bucket},{o}"),
        _ => bucket.to_string(),
    }
}

/// Whether a failed call says the bucket, or the configuration `what_code` names
/// (`NoSuchBucketPolicy`, ...), does not exist.
pub fn is_missing<E, R>(e: &SdkError<E, R>, what_code: &str) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(code(e), Some(c) if c == "NoSuchBucket" || c == "NotFound" || c == what_code)
}

/// The partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" }
}

pub fn bucket_arn(region: &str, bucket: &str) -> String {
    format!("arn:{}:s3:::{bucket}", partition(region))
}

/// `<bucket>.s3.amazonaws.com`.
pub fn bucket_domain_name(region: &str, bucket: &str) -> String {
    format!("{bucket}.s3.{}", dns_suffix(region))
}

/// `<bucket>.s3.<region>.amazonaws.com`, as the provider's v5 writes it for every region.
pub fn bucket_regional_domain_name(region: &str, bucket: &str) -> String {
    format!("{bucket}.s3.{region}.{}", dns_suffix(region))
}

/// The Route 53 hosted zone of the S3 website endpoints of a region (for alias records).
pub fn hosted_zone_id(region: &str) -> Option<&'static str> {
    Some(match region {
        "af-south-1" => "Z83WF9RJE8B12",
        "ap-east-1" => "ZNB98KWMFR0R6",
        "ap-northeast-1" => "Z2M4EHUR26P7ZW",
        "ap-northeast-2" => "Z3W03O7B5YMIYP",
        "ap-northeast-3" => "Z2YQB5RD63NC85",
        "ap-south-1" => "Z11RGJOFQNVJUP",
        "ap-south-2" => "Z02976202B4EZMXIPMXF7",
        "ap-southeast-1" => "Z3O0J2DXBE1FTB",
        "ap-southeast-2" => "Z1WCIGYICN2BYD",
        "ap-southeast-3" => "Z01846753K324LI26A3VV",
        "ap-southeast-4" => "Z0312387243XT5FE14WFO",
        "ap-southeast-5" => "Z08660063OXLMA7F1FJHU",
        "ca-central-1" => "Z1QDHH18159H29",
        "ca-west-1" => "Z03565811Z33SLEZTHOUL",
        "cn-north-1" => "Z5CN8UMXT92WN",
        "cn-northwest-1" => "Z282HJ1KT0DH03",
        "eu-central-1" => "Z21DNDUVLTQW6Q",
        "eu-central-2" => "Z030506016YDQGETNASS",
        "eu-north-1" => "Z3BAZG2TWCNX0D",
        "eu-south-1" => "Z30OZKI7KPW7MI",
        "eu-south-2" => "Z0081959F7139GRJC19J",
        "eu-west-1" => "Z1BKCTXD74EZPE",
        "eu-west-2" => "Z3GKZC51ZF0DB4",
        "eu-west-3" => "Z3R1K369G5AVDG",
        "il-central-1" => "Z09640613K4A3MN55U7GU",
        "me-central-1" => "Z06143092I8HRXZRUZROF",
        "me-south-1" => "Z1MPMWCPA7YB62",
        "sa-east-1" => "Z7KQH4QJS55SO",
        "us-east-1" => "Z3AQBSTGFYJSTF",
        "us-east-2" => "Z2O1EMRO9K5GLX",
        "us-gov-east-1" => "Z2NIFVYYW2VKV1",
        "us-gov-west-1" => "Z31GFT0UA1I2HV",
        "us-west-1" => "Z2F56UZL2M1ACD",
        "us-west-2" => "Z3BJ6K6RIION7M",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_an_optional_owner() {
        assert_eq!(parse_id("logs"), ("logs".to_string(), None));
        assert_eq!(parse_id("logs,123456789012"), ("logs".to_string(), Some("123456789012".to_string())));
        assert_eq!(format_id("logs", Some("123456789012")), "logs,123456789012");
        assert_eq!(format_id("logs", None), "logs");
    }

    #[test]
    fn names_follow_the_region() {
        assert_eq!(bucket_arn("eu-west-1", "b"), "arn:aws:s3:::b");
        assert_eq!(bucket_arn("cn-north-1", "b"), "arn:aws-cn:s3:::b");
        assert_eq!(bucket_domain_name("eu-west-1", "b"), "b.s3.amazonaws.com");
        assert_eq!(bucket_regional_domain_name("eu-west-1", "b"), "b.s3.eu-west-1.amazonaws.com");
        assert_eq!(hosted_zone_id("eu-west-1"), Some("Z1BKCTXD74EZPE"));
        assert_eq!(hosted_zone_id("xx-nowhere-1"), None);
    }
}
