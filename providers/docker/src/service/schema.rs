//! The `docker_service` schema: the Terraform Docker provider's arguments and blocks.

use crate::labels;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

fn s() -> Type {
    Type::String
}
fn n() -> Type {
    Type::Number
}

fn update_config() -> Schema {
    Schema::new()
        .attr("parallelism", Attribute::optional(n()).default(Value::from(1i64)))
        .attr("delay", Attribute::optional(s()).default("0s"))
        .attr("failure_action", Attribute::optional(s()).default("pause"))
        .attr("monitor", Attribute::optional(s()).default("5s"))
        .attr("max_failure_ratio", Attribute::optional(s()).default("0.0"))
        .attr("order", Attribute::optional(s()).default("stop-first"))
}

fn file_ref(kind: &str) -> Schema {
    Schema::new()
        .attr(&format!("{kind}_id"), Attribute::required(s()))
        .attr(&format!("{kind}_name"), Attribute::optional(s()))
        .attr("file_name", Attribute::required(s()))
        .attr("file_uid", Attribute::optional(s()).default("0"))
        .attr("file_gid", Attribute::optional(s()).default("0"))
        .attr("file_mode", Attribute::optional(n()).default(Value::from(0o444i64)))
}

/// A block written at most once, recorded (as in kreuzwerker/docker, whose SDK has no single
/// blocks) as a list of one object, or none: `task_spec[0].container_spec[0].image`.
fn one(schema: Schema) -> NestedBlock {
    NestedBlock::list(schema).max(1)
}

fn container_spec() -> Schema {
    Schema::new()
        .attr("image", Attribute::required(s()))
        .attr("command", Attribute::optional(Type::list(s())))
        .attr("args", Attribute::optional(Type::list(s())))
        .attr("hostname", Attribute::optional(s()))
        .attr("env", Attribute::optional(Type::map(s())))
        .attr("dir", Attribute::optional(s()))
        .attr("user", Attribute::optional(s()))
        .attr("groups", Attribute::optional(Type::list(s())))
        .attr("read_only", Attribute::optional(Type::Bool))
        .attr("stop_signal", Attribute::optional(s()))
        .attr("stop_grace_period", Attribute::optional_computed(s()))
        .attr("isolation", Attribute::optional(s()).default("default"))
        .attr("sysctl", Attribute::optional(Type::map(s())))
        .attr("cap_add", Attribute::optional(Type::list(s())))
        .attr("cap_drop", Attribute::optional(Type::list(s())))
        .block("labels", labels::block(false))
        .block(
            "privileges",
            one(Schema::new()
                .block(
                    "credential_spec",
                    one(Schema::new()
                        .attr("file", Attribute::optional(s()))
                        .attr("registry", Attribute::optional(s()))),
                )
                .block(
                    "se_linux_context",
                    one(Schema::new()
                        .attr("disable", Attribute::optional(Type::Bool))
                        .attr("user", Attribute::optional(s()))
                        .attr("role", Attribute::optional(s()))
                        .attr("type", Attribute::optional(s()))
                        .attr("level", Attribute::optional(s()))),
                )),
        )
        .block(
            "mounts",
            NestedBlock::set(
                Schema::new()
                    .attr("target", Attribute::required(s()))
                    .attr("source", Attribute::optional(s()))
                    .attr("type", Attribute::required(s()))
                    .attr("read_only", Attribute::optional(Type::Bool))
                    .block(
                        "bind_options",
                        one(Schema::new().attr("propagation", Attribute::optional(s()).default("rprivate"))),
                    )
                    .block(
                        "volume_options",
                        one(Schema::new()
                            .attr("no_copy", Attribute::optional(Type::Bool))
                            .attr("driver_name", Attribute::optional(s()))
                            .attr("driver_options", Attribute::optional(Type::map(s())))
                            .block("labels", labels::block(false))),
                    )
                    .block(
                        "tmpfs_options",
                        one(Schema::new()
                            .attr("size_bytes", Attribute::optional(n()))
                            .attr("mode", Attribute::optional(n()))),
                    ),
            ),
        )
        .block(
            "healthcheck",
            one(Schema::new()
                .attr("test", Attribute::optional(Type::list(s())))
                .attr("interval", Attribute::optional(s()).default("0s"))
                .attr("timeout", Attribute::optional(s()).default("0s"))
                .attr("start_period", Attribute::optional(s()).default("0s"))
                .attr("retries", Attribute::optional(n()).default(Value::from(0i64))))
            .computed(),
        )
        .block(
            "hosts",
            NestedBlock::set(Schema::new().attr("host", Attribute::required(s())).attr("ip", Attribute::required(s()))),
        )
        .block(
            "dns_config",
            one(Schema::new()
                .attr("nameservers", Attribute::required(Type::list(s())))
                .attr("search", Attribute::optional(Type::list(s())))
                .attr("options", Attribute::optional(Type::list(s()))))
            .computed(),
        )
        .block("secrets", NestedBlock::set(file_ref("secret")))
        .block("configs", NestedBlock::set(file_ref("config")))
}

fn task_spec() -> Schema {
    let resources_side =
        || Schema::new().attr("nano_cpus", Attribute::optional(n())).attr("memory_bytes", Attribute::optional(n()));
    Schema::new()
        .attr("force_update", Attribute::optional_computed(n()))
        .attr("runtime", Attribute::optional_computed(s()))
        .block("container_spec", one(container_spec()).min(1))
        .block(
            "resources",
            one(Schema::new().block("limits", one(resources_side())).block(
                "reservation",
                one(resources_side().block(
                    "generic_resources",
                    one(Schema::new()
                        .attr("named_resources_spec", Attribute::optional(Type::set(s())))
                        .attr("discrete_resources_spec", Attribute::optional(Type::set(s())))),
                )),
            ))
            .computed(),
        )
        .block(
            "restart_policy",
            one(Schema::new()
                .attr("condition", Attribute::optional(s()))
                .attr("delay", Attribute::optional(s()))
                .attr("max_attempts", Attribute::optional(n()))
                .attr("window", Attribute::optional(s())))
            .computed(),
        )
        .block(
            "placement",
            one(Schema::new()
                .attr("constraints", Attribute::optional(Type::set(s())))
                .attr("prefs", Attribute::optional(Type::set(s())))
                .attr("max_replicas", Attribute::optional(n()))
                .block(
                    "platforms",
                    NestedBlock::set(
                        Schema::new()
                            .attr("architecture", Attribute::required(s()))
                            .attr("os", Attribute::required(s())),
                    ),
                ))
            .computed(),
        )
        .block(
            "networks_advanced",
            NestedBlock::set(
                Schema::new()
                    .attr("name", Attribute::required(s()))
                    .attr("aliases", Attribute::optional(Type::set(s())))
                    .attr("driver_opts", Attribute::optional(Type::set(s()))),
            ),
        )
        .block(
            "log_driver",
            one(Schema::new()
                .attr("name", Attribute::required(s()))
                .attr("options", Attribute::optional(Type::map(s())))),
        )
}

/// Recorded as schema version 2, kreuzwerker/docker's: see [`super::upgrade`].
pub fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(s()))
        .attr("name", Attribute::required(s()).force_new())
        .block("labels", labels::block(false).computed())
        .block("task_spec", one(task_spec()).min(1))
        .block(
            "mode",
            one(Schema::new().attr("global", Attribute::optional(Type::Bool).default(false)).block(
                "replicated",
                one(Schema::new().attr("replicas", Attribute::optional(n()).default(Value::from(1i64)))).computed(),
            ))
            .computed(),
        )
        .block("update_config", one(update_config()).computed())
        .block("rollback_config", one(update_config()).computed())
        .block(
            "endpoint_spec",
            one(Schema::new().attr("mode", Attribute::optional_computed(s())).block(
                "ports",
                NestedBlock::list(
                    Schema::new()
                        .attr("name", Attribute::optional(s()))
                        .attr("protocol", Attribute::optional(s()).default("tcp"))
                        .attr("target_port", Attribute::required(n()))
                        .attr("published_port", Attribute::optional_computed(n()))
                        .attr("publish_mode", Attribute::optional(s()).default("ingress")),
                ),
            ))
            .computed(),
        )
        .block(
            "converge_config",
            one(Schema::new()
                .attr("delay", Attribute::optional(s()).default("7s"))
                .attr("timeout", Attribute::optional(s()).default("3m"))),
        )
        .block(
            "auth",
            one(Schema::new()
                .attr("server_address", Attribute::required(s()))
                .attr("username", Attribute::optional(s()))
                .attr("password", Attribute::optional(s()).sensitive())),
        )
}
