//! Networks, secrets, configs, volumes and services against a real dockerd in swarm mode.

mod support;

use support::{Harness, IMAGE, actions, assert_no_changes, docker, fetch, free_port, unique};
use terrane_engine::apply::plan_prior_state;
use terrane_engine::attrs as val;
use terrane_engine::plan::Action;
use terrane_engine::provider::Provider;
use terrane_engine::state::StateBackend;
use terrane_engine::value::Value;

fn objects(tag: &str, secret: &str, label: &str) -> String {
    format!(
        r#"
resource "docker_network" "proxy" {{
  name       = "{tag}-proxy"
  driver     = "overlay"
  attachable = true
  labels {{
    label = "team"
    value = "{label}"
  }}
}}

resource "docker_secret" "db" {{
  name = "{tag}-db-password"
  data = base64encode("{secret}")
}}

resource "docker_config" "app" {{
  name = "{tag}-app-config"
  data = base64encode("port = 8080\n")
}}

resource "docker_volume" "data" {{
  name = "{tag}-data"
  labels {{
    label = "app"
    value = "web"
  }}
}}
"#
    )
}

#[tokio::test]
async fn networks_secrets_configs_and_volumes() {
    let h = Harness::new();
    let tag = unique("obj");
    let src = objects(&tag, "s3cret-1", "ops");
    let state = h.apply(&src).await;
    let net = h.id(&state, "docker_network.proxy");
    assert_eq!(docker(&["network", "inspect", "-f", "{{.Driver}} {{.Attachable}}", &net]), "overlay true");
    assert!(docker(&["secret", "ls", "--format", "{{.Name}}"]).contains(&format!("{tag}-db-password")));
    assert_eq!(docker(&["volume", "inspect", "-f", "{{.Name}}", &format!("{tag}-data")]), format!("{tag}-data"));
    assert_no_changes(&h.plan(&src).await);

    // Secrets are immutable: a new value replaces; the text never shows the value.
    let rotated = objects(&tag, "s3cret-2", "ops");
    let p = h.plan(&rotated).await;
    assert_eq!(actions(&p), vec![("docker_secret.db".to_string(), Action::DeleteThenCreate)]);
    let text = terrane_engine::plan::render::text::render_plan(&p, &|_| None, false);
    assert!(!text.contains("s3cret"), "{text}");
    h.apply(&rotated).await;
    assert_no_changes(&h.plan(&rotated).await);

    // A network label change replaces the network (networks are immutable).
    let relabeled = objects(&tag, "s3cret-2", "platform");
    let p = h.plan(&relabeled).await;
    assert_eq!(actions(&p), vec![("docker_network.proxy".to_string(), Action::DeleteThenCreate)]);
    let state = h.apply(&relabeled).await;

    // Import by name reproduces the state.
    let provider = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_docker::DockerFactory);
    provider.configure(Value::object([("host", Value::NULL)])).await.unwrap();
    for (t, addr, name) in [
        ("docker_network", "docker_network.proxy", format!("{tag}-proxy")),
        ("docker_config", "docker_config.app", format!("{tag}-app-config")),
        ("docker_volume", "docker_volume.data", format!("{tag}-data")),
    ] {
        let imported = provider.import(t, &name).await.unwrap();
        let stored = h.value(&state, addr);
        for k in ["id", "name", "driver", "labels", "data", "attachable"] {
            assert_eq!(imported.get_attr(k), stored.get_attr(k), "{addr}.{k} after import");
        }
    }

    h.destroy(&relabeled).await;
    assert!(!docker(&["network", "ls", "--format", "{{.Name}}"]).contains(&format!("{tag}-proxy")));
    assert!(!docker(&["secret", "ls", "--format", "{{.Name}}"]).contains(&tag));
    assert!(!docker(&["config", "ls", "--format", "{{.Name}}"]).contains(&tag));
    assert!(!docker(&["volume", "ls", "--format", "{{.Name}}"]).contains(&tag));
}

/// A create leaves nothing of terrane's on the object, and `find_created` (the next plan
/// after a killed apply) finds what it made by its name and the time the create was recorded
/// (in its token): an object that had the name before the create is not adopted. An unnamed
/// volume is named after the token. A pending create recorded by an older terrane (a token
/// without a time) is still found by the label those versions put on the object.
#[tokio::test]
async fn find_created_finds_what_a_create_made_by_name_and_time_and_leaves_no_mark() {
    use terrane_engine::state::{create_token_at, new_create_token};
    let h = Harness::new();
    let tag = unique("tok");
    let src = format!(
        "{}\nresource \"docker_service\" \"svc\" {{\n  name = \"{tag}-svc\"\n  task_spec {{\n    container_spec {{\n      image   = \"{IMAGE}\"\n      command = [\"sleep\", \"600\"]\n      stop_grace_period = \"1s\"\n    }}\n  }}\n}}\n",
        objects(&tag, "s3cret", "ops")
    );
    let recorded = new_create_token();
    let state = h.apply(&src).await;
    assert_no_changes(&h.plan(&src).await);
    // A create recorded after these objects were made (beyond the daemon clock's allowance).
    let later = create_token_at(std::time::SystemTime::now() + std::time::Duration::from_secs(60));
    let provider = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_docker::DockerFactory);
    provider.configure(Value::object([("host", Value::NULL)])).await.unwrap();
    for (t, addr, kind, name) in [
        ("docker_network", "docker_network.proxy", "network", format!("{tag}-proxy")),
        ("docker_secret", "docker_secret.db", "secret", format!("{tag}-db-password")),
        ("docker_config", "docker_config.app", "config", format!("{tag}-app-config")),
        ("docker_volume", "docker_volume.data", "volume", format!("{tag}-data")),
        ("docker_service", "docker_service.svc", "service", format!("{tag}-svc")),
    ] {
        let labels = if matches!(kind, "network" | "volume") { "{{json .Labels}}" } else { "{{json .Spec.Labels}}" };
        let labels = docker(&[kind, "inspect", "-f", labels, &name]);
        assert!(!labels.contains("terrane"), "{addr}: terrane left a label: {labels}");
        let stored = h.value(&state, addr);
        let mut planned = stored.clone();
        planned.set_at_path(&[terrane_engine::value::PathStep::Attr("id".into())], Value::NULL);
        let found = provider.find_created(t, planned.clone(), &recorded).await.unwrap();
        let found = found.unwrap_or_else(|| panic!("{addr}: not found by its name"));
        for k in ["id", "name", "labels", "data"] {
            assert_eq!(found.get_attr(k), stored.get_attr(k), "{addr}.{k} as found");
        }
        assert_eq!(provider.find_created(t, planned, &later).await.unwrap(), None, "{addr} made before the create");
    }

    // An unnamed volume is named after its create's token, and found by it.
    let token = new_create_token();
    let unnamed = Value::object([("name", Value::NULL)]);
    let made = provider.create_with_token("docker_volume", unnamed.clone(), &token).await.unwrap();
    let vname = made.get_attr("name").and_then(Value::as_str).unwrap().to_string();
    assert!(vname.len() == 64 && vname.chars().all(|c| c.is_ascii_hexdigit()), "{vname}");
    let found = provider.find_created("docker_volume", unnamed.clone(), &token).await.unwrap().unwrap();
    assert_eq!(found.get_attr("name"), made.get_attr("name"));
    assert_eq!(provider.find_created("docker_volume", unnamed, &new_create_token()).await.unwrap(), None);
    docker(&["volume", "rm", &vname]);

    // A secret that had the name before the create is someone else's: not adopted.
    let foreign = format!("{tag}-foreign");
    let file = h.dir.path().join("foreign");
    std::fs::write(&file, "not terrane's").unwrap();
    let sid = docker(&["secret", "create", &foreign, file.to_str().unwrap()]);
    let planned = Value::object([("name", Value::from(foreign.as_str())), ("data", Value::from("eA=="))]);
    assert_eq!(provider.find_created("docker_secret", planned.clone(), &later).await.unwrap(), None);
    docker(&["secret", "rm", &sid]);

    // A pending create of an older terrane (token without a time) is found by its label, and
    // the label is not read into the object.
    let old_token = "terrane-0123456789abcdef0123456789abcdef";
    let sid = docker(&[
        "secret",
        "create",
        "--label",
        &format!("terrane.create-token={old_token}"),
        &foreign,
        file.to_str().unwrap(),
    ]);
    let found = provider.find_created("docker_secret", planned, old_token).await.unwrap().expect("found by label");
    assert_eq!(found.get_attr("id").and_then(Value::as_str), Some(sid.as_str()));
    assert!(!format!("{found:?}").contains("terrane.create-token"));
    docker(&["secret", "rm", &sid]);
    h.destroy(&src).await;
}

fn app(tag: &str, port: u16, image: &str, message: &str, replicas: i64) -> String {
    format!(
        r#"
resource "docker_network" "proxy" {{
  name       = "{tag}-proxy"
  driver     = "overlay"
  attachable = true
}}

resource "docker_config" "page" {{
  name = "{tag}-page-{message}"
  data = base64encode("<h1>{message}</h1>")
  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "docker_service" "web" {{
  name = "{tag}-web"
  labels {{
    label = "com.df.notify"
    value = "true"
  }}
  task_spec {{
    container_spec {{
      image   = "{image}"
      command = ["sh", "-c", "cp /page.html /www/index.html; echo $$MSG >> /www/index.html; exec httpd -f -p 8080 -h /www"]
      env = {{
        MSG = "{message}"
      }}
      stop_grace_period = "1s"
      configs {{
        config_id   = docker_config.page.id
        config_name = docker_config.page.name
        file_name   = "/page.html"
      }}
    }}
    restart_policy {{
      condition    = "on-failure"
      max_attempts = 3
    }}
    networks_advanced {{
      name = docker_network.proxy.name
    }}
  }}
  mode {{
    replicated {{
      replicas = {replicas}
    }}
  }}
  update_config {{
    parallelism = 1
    order       = "stop-first"
  }}
  endpoint_spec {{
    mode = "dnsrr"
    ports {{
      target_port    = 8080
      published_port = {port}
      publish_mode   = "host"
    }}
  }}
  converge_config {{
    delay   = "500ms"
    timeout = "60s"
  }}
}}
"#
    )
}

#[tokio::test]
async fn a_service_runs_answers_rolls_out_and_drifts() {
    let h = Harness::new();
    let tag = unique("app");
    let port = free_port();
    docker(&["tag", IMAGE, "terrane-test/busybox:2"]);
    let v1 = app(&tag, port, IMAGE, "v1", 1);
    let state = h.apply(&v1).await;
    let body = fetch(port).await;
    assert!(body.contains("<h1>v1</h1>") && body.contains("v1"), "{body}");
    assert_no_changes(&h.plan(&v1).await);

    // A change of the service's own labels replaces no task: the apply does not wait for a
    // rolling update swarm never starts (the spec sent now spells out defaults that the
    // create's left to the daemon, which swarm does not count as a change of the tasks).
    let web = format!("{tag}-web");
    let running = || docker(&["service", "ps", "-q", "--filter", "desired-state=running", &web]);
    let tasks_before = running();
    let relabelled = v1.replace("value = \"true\"", "value = \"false\"");
    assert_eq!(actions(&h.plan(&relabelled).await), vec![("docker_service.web".to_string(), Action::Update)]);
    h.apply(&relabelled).await;
    assert_eq!(running(), tasks_before, "no task was replaced");
    assert_eq!(docker(&["service", "inspect", "-f", "{{index .Spec.Labels \"com.df.notify\"}}", &web]), "false");
    assert_no_changes(&h.plan(&relabelled).await);

    // A new image tag and message roll out in place; the config rotates before-destroy.
    let v2 = app(&tag, port, "terrane-test/busybox:2", "v2", 1);
    let p = h.plan(&v2).await;
    let acts = actions(&p);
    assert!(acts.contains(&("docker_service.web".to_string(), Action::Update)), "{acts:?}");
    assert!(acts.contains(&("docker_config.page".to_string(), Action::CreateThenDelete)), "{acts:?}");
    let id_before = h.id(&state, "docker_service.web");
    let state = h.apply(&v2).await;
    assert_eq!(h.id(&state, "docker_service.web"), id_before, "updated in place");
    let body = fetch(port).await;
    assert!(body.contains("<h1>v2</h1>"), "{body}");
    assert_eq!(
        docker(&["service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", &id_before]),
        "terrane-test/busybox:2"
    );
    assert_no_changes(&h.plan(&v2).await);

    // Scaled with the CLI behind terrane's back: drift, planned back.
    docker(&["service", "scale", "-d", &format!("{id_before}=0")]);
    let p = h.plan(&v2).await;
    assert_eq!(p.drift.len(), 1, "the scaled service is drift");
    assert_eq!(actions(&p), vec![("docker_service.web".to_string(), Action::Update)]);

    // Removed behind terrane's back: planned for re-creation.
    docker(&["service", "rm", &id_before]);
    let p = h.plan(&v2).await;
    assert!(actions(&p).contains(&("docker_service.web".to_string(), Action::Create)));

    // Import by name.
    h.apply(&v2).await;
    let provider = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_docker::DockerFactory);
    provider.configure(Value::object([("host", Value::NULL)])).await.unwrap();
    let imported = provider.import("docker_service", &format!("{tag}-web")).await.unwrap();
    assert_eq!(imported.get_attr("name"), Some(&Value::from(format!("{tag}-web"))));
    assert!(imported.get_attr("task_spec").is_some_and(|t| !t.is_null()));

    h.destroy(&v2).await;
    // The destroy waited for the service's containers, not only for the service record.
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("name={tag}-web")]), "", "containers left after destroy");
    assert!(!docker(&["service", "ls", "--format", "{{.Name}}"]).contains(&tag));
    assert!(!docker(&["network", "ls", "--format", "{{.Name}}"]).contains(&tag));
    assert!(!docker(&["config", "ls", "--format", "{{.Name}}"]).contains(&tag));
}

#[tokio::test]
async fn a_missing_image_fails_to_converge_with_the_daemons_error() {
    let h = Harness::new();
    let tag = unique("bad");
    let src = format!(
        r#"
resource "docker_service" "broken" {{
  name = "{tag}"
  task_spec {{
    container_spec {{
      image = "terrane-test/does-not-exist:9"
    }}
  }}
  converge_config {{
    delay   = "500ms"
    timeout = "40s"
  }}
}}
"#
    );
    let start = std::time::Instant::now();
    let (out, state) = h.try_apply(&src).await;
    assert!(start.elapsed() < std::time::Duration::from_secs(45), "failed within the converge timeout");
    let err = out.diags.iter().find(|d| d.is_error()).expect("an error");
    assert!(err.detail.contains("No such image") || err.detail.contains("does-not-exist"), "{}", err.detail);
    // The service exists and is recorded (tainted), so nothing is lost.
    let addr = terrane_engine::addr::ResourceAddr::managed("docker_service", "broken");
    let obj = state.object(&addr, &Default::default()).expect("the service is in the state");
    assert_eq!(obj.status, terrane_engine::state::ObjectStatus::Tainted);
    h.destroy(&src).await;
    assert!(!docker(&["service", "ls", "--format", "{{.Name}}"]).contains(&tag));
}

/// A service that sets (nearly) every argument of the schema, beside a global one. Not
/// `read_only = false`, which the daemon omits (see
/// `flags_set_to_false_read_back_as_configured`).
fn everything(tag: &str, port: u16, env: &str) -> String {
    // The node's own platform, as swarm's platform filter compares it.
    let arch = docker(&["node", "inspect", "self", "--format", "{{.Description.Platform.Architecture}}"]);
    format!(
        r#"
resource "docker_network" "net" {{
  name       = "{tag}-net"
  driver     = "overlay"
  attachable = true
}}

resource "docker_secret" "key" {{
  name = "{tag}-key"
  data = base64encode("k3y")
}}

resource "docker_config" "conf" {{
  name = "{tag}-conf"
  data = base64encode("a = 1\n")
}}

resource "docker_service" "all" {{
  name = "{tag}-all"
  labels {{
    label = "team"
    value = "ops"
  }}
  task_spec {{
    container_spec {{
      image             = "{IMAGE}"
      command           = ["sh", "-c"]
      args              = ["exec sleep 86400"]
      hostname          = "everything"
      env               = {{ A = "{env}", B = "two=2" }}
      dir               = "/tmp"
      user              = "0"
      groups            = ["0", "1"]
      read_only         = true
      stop_signal       = "SIGTERM"
      stop_grace_period = "1s"
      sysctl            = {{ "net.core.somaxconn" = "512" }}
      cap_add           = ["NET_ADMIN"]
      cap_drop          = ["MKNOD"]
      labels {{
        label = "role"
        value = "worker"
      }}
      mounts {{
        target    = "/data"
        source    = "{tag}-vol"
        type      = "volume"
        volume_options {{
          no_copy        = true
          driver_name    = "local"
          driver_options = {{ type = "tmpfs", device = "tmpfs" }}
          labels {{
            label = "kind"
            value = "scratch"
          }}
        }}
      }}
      mounts {{
        target = "/scratch"
        type   = "tmpfs"
        tmpfs_options {{
          size_bytes = 1048576
          mode       = 448
        }}
      }}
      mounts {{
        target    = "/host-tmp"
        source    = "/tmp"
        type      = "bind"
        read_only = true
        bind_options {{
          propagation = "private"
        }}
      }}
      privileges {{
        se_linux_context {{
          disable = true
        }}
      }}
      dns_config {{
        nameservers = ["10.0.0.2"]
        search      = ["internal"]
        options     = ["ndots:2"]
      }}
      hosts {{
        host = "db.internal"
        ip   = "10.0.0.5"
      }}
      healthcheck {{
        test         = ["CMD-SHELL", "exit 0"]
        interval     = "2s"
        timeout      = "10s"
        start_period = "1s"
        retries      = 3
      }}
      secrets {{
        secret_id   = docker_secret.key.id
        secret_name = docker_secret.key.name
        file_name   = "/run/secrets/key"
        file_uid    = "0"
        file_gid    = "0"
        file_mode   = 256
      }}
      configs {{
        config_id   = docker_config.conf.id
        config_name = docker_config.conf.name
        file_name   = "/conf.ini"
        file_mode   = 292
      }}
    }}
    force_update = 1
    resources {{
      limits {{
        nano_cpus    = 500000000
        memory_bytes = 67108864
      }}
      reservation {{
        nano_cpus    = 1000000
        memory_bytes = 4194304
      }}
    }}
    restart_policy {{
      condition    = "on-failure"
      delay        = "3s"
      max_attempts = 3
      window       = "10s"
    }}
    placement {{
      constraints  = ["node.role==manager"]
      prefs        = ["node.id"]
      max_replicas = 2
      platforms {{
        architecture = "{arch}"
        os           = "linux"
      }}
    }}
    networks_advanced {{
      name    = docker_network.net.name
      aliases = ["everything-alias"]
    }}
    log_driver {{
      name    = "json-file"
      options = {{ max-size = "1m" }}
    }}
  }}
  mode {{
    replicated {{
      replicas = 1
    }}
  }}
  update_config {{
    parallelism       = 2
    delay             = "1s"
    failure_action    = "continue"
    monitor           = "2s"
    max_failure_ratio = "0.5"
    order             = "stop-first"
  }}
  rollback_config {{
    parallelism       = 3
    delay             = "2s"
    failure_action    = "pause"
    monitor           = "1s"
    max_failure_ratio = "0.25"
    order             = "start-first"
  }}
  endpoint_spec {{
    mode = "vip"
    ports {{
      name           = "http"
      protocol       = "tcp"
      target_port    = 8080
      published_port = {port}
      publish_mode   = "host"
    }}
  }}
  converge_config {{
    delay   = "250ms"
    timeout = "60s"
  }}
}}

resource "docker_service" "global" {{
  name = "{tag}-global"
  task_spec {{
    container_spec {{
      image             = "{IMAGE}"
      command           = ["sleep", "86400"]
      stop_grace_period = "1s"
    }}
  }}
  mode {{
    global = true
  }}
  converge_config {{
    delay   = "250ms"
    timeout = "60s"
  }}
}}
"#
    )
}

/// Flags configured `false` read back as configured: the daemon leaves false flags out of
/// what it answers (a mount's `read_only`, the container's `read_only`), and a plan must not
/// show them changing on every run.
#[tokio::test]
async fn flags_set_to_false_read_back_as_configured() {
    let h = Harness::new();
    let tag = unique("flags");
    let src = format!(
        r#"
resource "docker_service" "f" {{
  name = "{tag}-f"
  task_spec {{
    container_spec {{
      image     = "{IMAGE}"
      command   = ["sh", "-c", "exec sleep 86400"]
      read_only = false
      mounts {{
        target    = "/scratch"
        type      = "tmpfs"
        read_only = false
      }}
      mounts {{
        target    = "/host-tmp"
        source    = "/tmp"
        type      = "bind"
        read_only = true
      }}
    }}
  }}
}}
"#
    );
    h.apply(&src).await;
    assert_no_changes(&h.plan(&src).await);
    h.destroy(&src).await;
}

/// A health check reaches the daemon and reads back as configured, through a change of it.
/// The daemon answers the field as `Healthcheck` where Docker's API definition (and so
/// bollard's published model) spells it `HealthCheck`; the patched bollard-stubs
/// (providers/docker/vendor/bollard-stubs/PATCHED.md) reads both.
#[tokio::test]
async fn healthcheck_reads_back() {
    let h = Harness::new();
    let tag = unique("health");
    let src = |interval: &str, retries: u32| {
        format!(
            r#"
resource "docker_service" "h" {{
  name = "{tag}-h"
  task_spec {{
    container_spec {{
      image   = "{IMAGE}"
      command = ["sh", "-c", "exec sleep 86400"]
      healthcheck {{
        test     = ["CMD-SHELL", "test -d /tmp"]
        interval = "{interval}"
        timeout  = "3s"
        retries  = {retries}
      }}
    }}
  }}
}}
"#
        )
    };
    let v1 = src("10s", 2);
    let state = h.apply(&v1).await;
    let daemon = docker(&[
        "service",
        "inspect",
        &format!("{tag}-h"),
        "--format",
        "{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck}}",
    ]);
    assert_eq!(
        daemon,
        r#"{"Test":["CMD-SHELL","test -d /tmp"],"Interval":10000000000,"Timeout":3000000000,"Retries":2}"#
    );
    let addr = terrane_engine::addr::ResourceAddr::managed("docker_service", "h");
    let attrs = state.object(&addr, &Default::default()).expect("recorded").attributes.to_json();
    let hc = &attrs["task_spec"][0]["container_spec"][0]["healthcheck"];
    assert_eq!(
        hc,
        &serde_json::json!([{"test": ["CMD-SHELL", "test -d /tmp"], "interval": "10s", "timeout": "3s", "start_period": "0s", "retries": 2}]),
        "{attrs}"
    );
    assert_no_changes(&h.plan(&v1).await);

    let v2 = src("15s", 4);
    let plan = h.plan(&v2).await;
    assert_eq!(actions(&plan), vec![("docker_service.h".to_string(), Action::Update)]);
    h.apply(&v2).await;
    assert_no_changes(&h.plan(&v2).await);
    h.destroy(&v2).await;
}

/// Every argument goes to the daemon as configured and reads back as configured (the next
/// plan has no changes, an import reproduces the state), through an update of the task
/// template; a global service converges on the swarm's nodes.
#[tokio::test]
async fn a_service_with_every_argument_reads_back_as_configured() {
    let h = Harness::new();
    let tag = unique("all");
    let port = free_port();
    let v1 = everything(&tag, port, "one");
    let state = h.apply(&v1).await;
    assert_no_changes(&h.plan(&v1).await);

    // The same state as terrane wrote it before its schemas matched kreuzwerker/docker's
    // (schema version 0: blocks written once as objects, `reservations`, `driver_opts` as a
    // map) is upgraded: no changes, and the next apply records version 2.
    let mut v0 = state.clone();
    let schema = terrane_provider_docker::DockerProvider::default().schema().resources["docker_service"].block.clone();
    for (addr, rs) in v0.resources.iter_mut().filter(|(a, _)| a.type_name == "docker_service") {
        let obj = rs.instances.values_mut().next().unwrap().current.as_mut().unwrap();
        assert_eq!(obj.schema_version, 2, "{addr}");
        let mut j = obj.attributes.to_json();
        as_terrane_v0(&schema, &mut j);
        obj.attributes = terrane_engine::state::Attributes::from_json(&j);
        obj.schema_version = 0;
    }
    let v0_json = String::from_utf8(v0.to_json()).unwrap();
    assert!(v0_json.contains(r#""reservations":{"generic_resources":null,"memory_bytes":4194304"#), "{v0_json}");
    h.backend.write("default", &v0).await.unwrap();
    let p = h.plan(&v1).await;
    assert_no_changes(&p);
    let upgraded = plan_prior_state(&p).unwrap();
    let all_v2 = upgraded.resources.iter().find(|(a, _)| a.name == "all").unwrap().1;
    let all_v2 = all_v2.instances.values().next().unwrap().current.as_ref().unwrap();
    assert_eq!(all_v2.schema_version, 2);
    assert_eq!(all_v2.attributes.to_json()["task_spec"][0]["resources"][0]["reservation"][0]["nano_cpus"], 1000000);
    h.backend.write("default", &state).await.unwrap();

    let all = format!("{tag}-all");
    let inspect = |f: &str| docker(&["service", "inspect", "-f", f, &all]);
    assert_eq!(inspect("{{json .Spec.TaskTemplate.ContainerSpec.Hosts}}"), r#"["10.0.0.5 db.internal"]"#);
    assert_eq!(inspect("{{json .Spec.TaskTemplate.ContainerSpec.Env}}"), r#"["A=one","B=two=2"]"#);
    assert_eq!(inspect("{{len .Spec.TaskTemplate.ContainerSpec.Mounts}}"), "3");
    assert_eq!(
        inspect("{{json .Spec.TaskTemplate.Resources}}"),
        r#"{"Limits":{"NanoCPUs":500000000,"MemoryBytes":67108864},"Reservations":{"NanoCPUs":1000000,"MemoryBytes":4194304}}"#
    );
    assert_eq!(
        inspect("{{json .Spec.TaskTemplate.Placement.Preferences}}"),
        r#"[{"Spread":{"SpreadDescriptor":"node.id"}}]"#
    );
    assert_eq!(inspect("{{.Spec.UpdateConfig.MaxFailureRatio}} {{.Spec.RollbackConfig.Order}}"), "0.5 start-first");
    assert_eq!(inspect("{{json (index .Spec.TaskTemplate.ContainerSpec.Secrets 0).File.Mode}}"), "256");
    assert_eq!(
        inspect("{{json .Spec.TaskTemplate.ContainerSpec.DNSConfig}}"),
        r#"{"Nameservers":["10.0.0.2"],"Search":["internal"],"Options":["ndots:2"]}"#
    );
    assert_eq!(inspect("{{json .Spec.TaskTemplate.ContainerSpec.Privileges.SELinuxContext.Disable}}"), "true");
    // Mounts are a set: in no particular order.
    let mut mounts: Vec<String> = inspect(
        "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Target}} {{json .BindOptions}} {{json .TmpfsOptions}};{{end}}",
    )
    .split_terminator(';')
    .map(str::to_string)
    .collect();
    mounts.sort();
    assert_eq!(
        mounts,
        [
            "/data null null",
            r#"/host-tmp {"Propagation":"private"} null"#,
            r#"/scratch null {"SizeBytes":1048576,"Mode":448}"#
        ]
    );
    assert_eq!(
        inspect("{{json .Spec.TaskTemplate.Placement.Platforms}}"),
        format!(
            r#"[{{"Architecture":"{}","OS":"linux"}}]"#,
            docker(&["node", "inspect", "self", "--format", "{{.Description.Platform.Architecture}}"])
        )
    );

    // Every attribute of the state reads back by import, except the two the daemon does not
    // keep.
    let provider = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_docker::DockerFactory);
    provider.configure(Value::object([("host", Value::NULL)])).await.unwrap();
    let stored = h.value(&state, "docker_service.all");
    let imported = provider.import("docker_service", &all).await.unwrap();
    let schema = provider.schema().resources["docker_service"].block.clone();
    for k in schema.attributes.keys().chain(schema.blocks.keys()) {
        if matches!(k.as_str(), "converge_config" | "auth") {
            continue;
        }
        assert_eq!(imported.get_attr(k), stored.get_attr(k), "docker_service.all.{k} after import");
    }
    for k in
        ["hosts", "mounts", "secrets", "configs", "sysctl", "cap_add", "groups", "labels", "privileges", "dns_config"]
    {
        let cs = val::block(&val::block(&stored, "task_spec").unwrap(), "container_spec").unwrap();
        let read_back = cs.get_attr(k).is_some_and(|v| !v.is_null() && v.as_seq().is_none_or(|s| !s.is_empty()));
        assert!(read_back, "container_spec.{k} read back: {cs:?}");
    }

    // A change of the task template rolls out: the task is replaced.
    let running = || docker(&["service", "ps", "-q", "--filter", "desired-state=running", &all]);
    let before = running();
    let v2 = everything(&tag, port, "two");
    assert_eq!(actions(&h.plan(&v2).await), vec![("docker_service.all".to_string(), Action::Update)]);
    h.apply(&v2).await;
    assert_ne!(running(), before, "the task was replaced");
    assert_eq!(inspect("{{json .Spec.TaskTemplate.ContainerSpec.Env}}"), r#"["A=two","B=two=2"]"#);
    assert_no_changes(&h.plan(&v2).await);

    h.destroy(&v2).await;
    assert!(!docker(&["service", "ls", "--format", "{{.Name}}"]).contains(&tag));
    // The volume the mount made on this node is not terrane's.
    docker(&["volume", "rm", &format!("{tag}-vol")]);
}

/// Arguments the daemon's types refuse fail the create before any call, in the words of
/// the daemon's types; a malformed duration is reported before them.
#[tokio::test]
async fn arguments_the_daemon_refuses_fail_with_clear_errors() {
    let h = Harness::new();
    let tag = unique("refused");
    let service = |mount_type: &str, delay: &str, mode: i64| {
        format!(
            r#"
resource "docker_service" "bad" {{
  name = "{tag}"
  task_spec {{
    container_spec {{
      image = "{IMAGE}"
      mounts {{
        target = "/data"
        type   = "{mount_type}"
      }}
      configs {{
        config_id = "none"
        file_name = "/x"
        file_mode = {mode}
      }}
    }}
    restart_policy {{
      delay = "{delay}"
    }}
  }}
}}
"#
        )
    };
    for (src, want) in [
        (
            service("bogus", "1s", 292),
            format!(
                "building the service spec of {tag}: unknown variant `bogus`, expected one of `bind`, `cluster`, `image`, `npipe`, `tmpfs`, `volume`"
            ),
        ),
        (
            service("tmpfs", "1s", -1),
            format!("building the service spec of {tag}: invalid value: integer `-1`, expected u32"),
        ),
        (service("bogus", "soon", 292), "delay: \"soon\" is not a duration (like 10s or 1m30s)".to_string()),
    ] {
        let (out, state) = h.try_apply(&src).await;
        let err = out.diags.iter().find(|d| d.is_error()).expect("an error");
        assert!(err.detail.contains(&want) || err.summary.contains(&want), "want {want:?}, got {err:?}");
        let addr = terrane_engine::addr::ResourceAddr::managed("docker_service", "bad");
        assert!(state.object(&addr, &Default::default()).is_none(), "nothing was created");
    }
    assert!(!docker(&["service", "ls", "--format", "{{.Name}}"]).contains(&tag));
}

/// `data "docker_network"` finds an existing network by name or ID, in the one listing.
#[tokio::test]
async fn the_network_data_source_reads_a_network_by_name_or_id() {
    let tag = unique("netdata");
    let id = docker(&["network", "create", "--driver", "overlay", "--internal", "-o", "com.example.x=1", &tag]);
    let provider = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_docker::DockerFactory);
    provider.configure(Value::object([("host", Value::NULL)])).await.unwrap();
    for key in [tag.as_str(), id.as_str()] {
        let n = provider.read_data("docker_network", Value::object([("name", Value::from(key))])).await.unwrap();
        assert_eq!(n.get_attr("id"), Some(&Value::from(id.as_str())), "by {key}");
        assert_eq!(n.get_attr("driver"), Some(&Value::from("overlay")));
        assert_eq!(n.get_attr("scope"), Some(&Value::from("swarm")));
        assert_eq!(n.get_attr("internal"), Some(&Value::Bool(true)));
        let opts = n.get_attr("options").and_then(|o| o.get_attr("com.example.x")).cloned();
        assert_eq!(opts, Some(Value::from("1")), "{n:?}");
    }
    let missing = format!("{tag}-missing");
    let err = provider.read_data("docker_network", Value::object([("name", Value::from(missing.as_str()))])).await;
    assert!(err.unwrap_err().message.contains(&format!("no network named {missing:?}")));
    docker(&["network", "rm", &id]);
}

/// A state object as terrane wrote it at schema version 0: every block written at most once
/// as its object (or null), `task_spec.resources.reservation` spelled `reservations`, and
/// `networks_advanced.driver_opts` as a map.
fn as_terrane_v0(schema: &terrane_engine::schema::Schema, j: &mut serde_json::Value) {
    let Some(obj) = j.as_object_mut() else { return };
    for (name, b) in &schema.blocks {
        let Some(v) = obj.get_mut(name) else { continue };
        if let Some(items) = v.as_array_mut() {
            for i in items.iter_mut() {
                as_terrane_v0(&b.schema, i);
            }
        }
        if b.max_items == Some(1) {
            *v = v.as_array().and_then(|a| a.first()).cloned().unwrap_or(serde_json::Value::Null);
        }
    }
    if let Some(r) = obj.remove("reservation") {
        obj.insert("reservations".into(), r);
    }
    if let Some(serde_json::Value::Array(opts)) = obj.get("driver_opts") {
        let map: serde_json::Map<String, serde_json::Value> =
            opts.iter().filter_map(|o| o.as_str()?.split_once('=').map(|(k, v)| (k.to_string(), v.into()))).collect();
        obj.insert("driver_opts".into(), map.into());
    }
}
