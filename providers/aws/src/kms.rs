//! KMS helpers shared by the key and alias resource types: the errors that mean a key or
//! alias is gone, and key references (ID or ARN) compared as Terraform compares them.

use crate::errors::code;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Whether a KMS call failed because the key (or alias) does not exist.
pub fn not_found<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    code(e) == Some("NotFoundException") || crate::errors::is_not_found(e)
}

/// The key ID in a key ARN (`arn:aws:kms:eu-west-1:123456789012:key/<id>`).
pub fn key_id_of_arn(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, _, _, _, resource] => resource.strip_prefix("key/"),
        _ => None,
    }
}

/// Whether two key references (ID or ARN) name the same key, as Terraform compares them.
pub fn same_key(a: &str, b: &str) -> bool {
    a == b
        || (a.starts_with("arn:") && !b.starts_with("arn:") && key_id_of_arn(a) == Some(b))
        || (b.starts_with("arn:") && !a.starts_with("arn:") && key_id_of_arn(b) == Some(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_references_compare_as_terraform_compares_them() {
        let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        let arn = format!("arn:aws:kms:eu-west-1:111122223333:key/{id}");
        assert!(same_key(id, &arn) && same_key(&arn, id) && same_key(id, id));
        assert!(!same_key("other", &arn));
        assert_eq!(key_id_of_arn("arn:aws:kms:eu-west-1:111122223333:alias/x"), None);
    }
}
