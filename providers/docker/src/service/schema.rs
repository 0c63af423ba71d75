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

pub fn schema() -> Schema {
    let container_spec = Schema::new()
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
        .attr("stop_grace_period", Attribute::optional(s()))
        .attr("isolation", Attribute::optional(s()))
        .attr("sysctl", Attribute::optional(Type::map(s())))
        .attr("cap_add", Attribute::optional(Type::set(s())))
        .attr("cap_drop", Attribute::optional(Type::set(s())))
        .block("labels", labels::block(false))
        .block(
            "mounts",
            NestedBlock::set(
                Schema::new()
                    .attr("target", Attribute::required(s()))
                    .attr("source", Attribute::optional(s()))
                    .attr("type", Attribute::required(s()))
                    .attr("read_only", Attribute::optional(Type::Bool))
                    .block(
                        "volume_options",
                        NestedBlock::single(
                            Schema::new()
                                .attr("no_copy", Attribute::optional(Type::Bool))
                                .attr("driver_name", Attribute::optional(s()))
                                .attr("driver_options", Attribute::optional(Type::map(s())))
                                .block("labels", labels::block(false)),
                        ),
                    ),
            ),
        )
        .block(
            "healthcheck",
            NestedBlock::single(
                Schema::new()
                    .attr("test", Attribute::required(Type::list(s())))
                    .attr("interval", Attribute::optional(s()).default("0s"))
                    .attr("timeout", Attribute::optional(s()).default("0s"))
                    .attr("start_period", Attribute::optional(s()).default("0s"))
                    .attr("retries", Attribute::optional(n()).default(Value::from(0i64))),
            ),
        )
        .block(
            "hosts",
            NestedBlock::set(Schema::new().attr("host", Attribute::required(s())).attr("ip", Attribute::required(s()))),
        )
        .block("secrets", NestedBlock::set(file_ref("secret")))
        .block("configs", NestedBlock::set(file_ref("config")));
    let resources_side =
        || Schema::new().attr("nano_cpus", Attribute::optional(n())).attr("memory_bytes", Attribute::optional(n()));
    let task_spec = Schema::new()
        .attr("force_update", Attribute::optional(n()))
        .attr("runtime", Attribute::optional(s()))
        .block("container_spec", NestedBlock::single(container_spec).min(1))
        .block(
            "resources",
            NestedBlock::single(
                Schema::new()
                    .block("limits", NestedBlock::single(resources_side()))
                    .block("reservations", NestedBlock::single(resources_side())),
            ),
        )
        .block(
            "restart_policy",
            NestedBlock::single(
                Schema::new()
                    .attr("condition", Attribute::optional(s()))
                    .attr("delay", Attribute::optional(s()))
                    .attr("max_attempts", Attribute::optional(n()))
                    .attr("window", Attribute::optional(s())),
            ),
        )
        .block(
            "placement",
            NestedBlock::single(
                Schema::new()
                    .attr("constraints", Attribute::optional(Type::set(s())))
                    .attr("prefs", Attribute::optional(Type::set(s())))
                    .attr("max_replicas", Attribute::optional(n())),
            ),
        )
        .block(
            "networks_advanced",
            NestedBlock::set(
                Schema::new()
                    .attr("name", Attribute::required(s()))
                    .attr("aliases", Attribute::optional(Type::set(s())))
                    .attr("driver_opts", Attribute::optional(Type::map(s()))),
            ),
        )
        .block(
            "log_driver",
            NestedBlock::single(
                Schema::new()
                    .attr("name", Attribute::required(s()))
                    .attr("options", Attribute::optional(Type::map(s()))),
            ),
        );
    Schema::new()
        .attr("id", Attribute::computed(s()))
        .attr("name", Attribute::required(s()).force_new())
        .block("labels", labels::block(false))
        .block("task_spec", NestedBlock::single(task_spec).min(1))
        .block(
            "mode",
            NestedBlock::single(Schema::new().attr("global", Attribute::optional(Type::Bool).default(false)).block(
                "replicated",
                NestedBlock::single(
                    Schema::new().attr("replicas", Attribute::optional(n()).default(Value::from(1i64))),
                ),
            ))
            .computed(),
        )
        .block("update_config", NestedBlock::single(update_config()).computed())
        .block("rollback_config", NestedBlock::single(update_config()).computed())
        .block(
            "endpoint_spec",
            NestedBlock::single(
                Schema::new().attr("mode", Attribute::optional(s()).default("vip")).block(
                    "ports",
                    NestedBlock::list(
                        Schema::new()
                            .attr("name", Attribute::optional(s()))
                            .attr("protocol", Attribute::optional(s()).default("tcp"))
                            .attr("target_port", Attribute::required(n()))
                            .attr("published_port", Attribute::optional(n()))
                            .attr("publish_mode", Attribute::optional(s()).default("ingress")),
                    ),
                ),
            )
            .computed(),
        )
        .block(
            "converge_config",
            NestedBlock::single(
                Schema::new()
                    .attr("delay", Attribute::optional(s()).default("7s"))
                    .attr("timeout", Attribute::optional(s()).default("3m")),
            ),
        )
        .block(
            "auth",
            NestedBlock::single(
                Schema::new()
                    .attr("server_address", Attribute::required(s()))
                    .attr("username", Attribute::optional(s()))
                    .attr("password", Attribute::optional(s()).sensitive()),
            ),
        )
}
