//! hashicorp/cloudinit 2.4: the `cloudinit_config` data source, a multi-part MIME document
//! for cloud-init, written byte for byte as the plugin writes it (Go's `mime/multipart`, its
//! `compress/gzip`, its Base64), and the deprecated `cloudinit_config` resource.

mod config;
mod mime;
mod resource;

use crate::kit::Kit;
use terrane_engine::schema::Schema;

pub fn factory() -> Kit {
    Kit::new(
        "hashicorp/cloudinit",
        Schema::new(),
        vec![Box::new(resource::CloudinitConfigResource)],
        vec![Box::new(config::CloudinitConfig)],
    )
}
