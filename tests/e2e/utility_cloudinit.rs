//! hashicorp/cloudinit, built in: data `cloudinit_config` through the binary, its `rendered`
//! document byte for byte as the plugin's acceptance tests expect it (the cases of
//! internal/provider/data_source_cloudinit_config_test.go at v2.4.0) and the defaults it
//! records.

use crate::Work;

#[test]
fn utility_cloudinit_config_renders_as_the_plugin_and_records_its_defaults() {
    let w = Work::new(
        r#"
data "cloudinit_config" "plain" {
  gzip          = false
  base64_encode = false
  part {
    content_type = "text/x-shellscript"
    content      = "foo1"
    filename     = "foofile1.txt"
    merge_type   = "list()+dict()+str()"
  }
  part {
    content_type = "text/x-shellscript"
    content      = "bar1"
    filename     = "barfile1.txt"
    merge_type   = "list()+dict()+str()"
  }
}
data "cloudinit_config" "zipped" {
  part {
    content_type = "text/x-shellscript"
    content      = "heythere"
  }
}
resource "terraform_data" "user_data" {
  input = data.cloudinit_config.zipped.rendered
}
output "plain" { value = data.cloudinit_config.plain.rendered }
"#,
    );
    w.ok(&["init"]);
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    // The test case "no gzip or b64 - two parts - all fields".
    assert_eq!(
        s["outputs"]["plain"]["value"],
        "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"foofile1.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list()+dict()+str()\r\n\r\nfoo1\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"barfile1.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list()+dict()+str()\r\n\r\nbar1\r\n--MIMEBOUNDARY--\r\n"
    );
    let zipped =
        s["resources"].as_array().unwrap().iter().find(|r| r["mode"] == "data" && r["name"] == "zipped").unwrap();
    assert_eq!(zipped["provider"], "provider[\"registry.terraform.io/hashicorp/cloudinit\"]");
    let a = &zipped["instances"][0]["attributes"];
    // The test case "gzip compression - basic content".
    let expected = "H4sIAAAAAAAA/2TNuwrCQBCF4X5h32FJP0YrIWLhJYVFFEQFy1xGM5DMhtkJJG8vWkjQ8sDP+XaeFVnhMnaYuLZvlLpcNG5pwGrlCt9zlcu4jrJDlm5P1+N+c75H5r3ghhLIc+IWs7k11gBMI2u+35JzeKBAyqWviJ+JWxakk+CDKw4aDxBqbJpQCnVqTUYt/jk1jlqj4K8IYM0rAAD//0u6BO3QAAAA";
    assert_eq!(a["rendered"], expected);
    assert_eq!(a["gzip"], true);
    assert_eq!(a["base64_encode"], true);
    assert_eq!(a["boundary"], "MIMEBOUNDARY");
    assert_eq!(a["part"][0]["filename"], serde_json::Value::Null);
    // hashcode.String: the CRC-32 (IEEE) of `rendered`, in decimal (Python's zlib.crc32).
    assert_eq!(a["id"], "1954523377");
    let user_data = s["resources"].as_array().unwrap().iter().find(|r| r["type"] == "terraform_data").unwrap();
    assert_eq!(user_data["instances"][0]["attributes"]["input"]["value"], expected);

    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan changes nothing\n{out}{err}");
    w.ok(&["destroy", "-auto-approve"]);
}

#[test]
fn utility_cloudinit_config_refuses_gzip_without_base64_and_no_part() {
    let w = Work::new(
        "data \"cloudinit_config\" \"c\" {\n  gzip = true\n  base64_encode = false\n  part {\n    content = \"abc\"\n  }\n}\n",
    );
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Expected base64_encode to be set to true when gzip is true"), "{out}{err}");
    w.write("main.tf", "data \"cloudinit_config\" \"c\" {\n  gzip = false\n  base64_encode = false\n}\n");
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("part must have a configuration value"), "{out}{err}");
}

#[test]
fn utility_cloudinit_config_resource_is_deprecated_kept_and_replaced() {
    let config = "resource \"cloudinit_config\" \"c\" {\n  part {\n    content_type = \"text/x-shellscript\"\n    content      = \"heythere\"\n  }\n}\n";
    let w = Work::new(config);
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(format!("{out}{err}").contains("Deprecated Resource"), "{out}{err}");
    assert!(out.contains("+ boundary      = \"MIMEBOUNDARY\""), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    let i = &s["resources"][0]["instances"][0];
    assert_eq!(s["resources"][0]["provider"], "provider[\"registry.terraform.io/hashicorp/cloudinit\"]");
    assert_eq!(i["schema_version"], 0);
    // The data source test case "gzip compression - basic content", and its CRC-32.
    assert_eq!(
        i["attributes"]["rendered"],
        "H4sIAAAAAAAA/2TNuwrCQBCF4X5h32FJP0YrIWLhJYVFFEQFy1xGM5DMhtkJJG8vWkjQ8sDP+XaeFVnhMnaYuLZvlLpcNG5pwGrlCt9zlcu4jrJDlm5P1+N+c75H5r3ghhLIc+IWs7k11gBMI2u+35JzeKBAyqWviJ+JWxakk+CDKw4aDxBqbJpQCnVqTUYt/jk1jlqj4K8IYM0rAAD//0u6BO3QAAAA"
    );
    assert_eq!(i["attributes"]["id"], "1954523377");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
    w.write("main.tf", &config.replace("heythere", "hello"));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# cloudinit_config.c must be replaced"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    w.ok(&["destroy", "-auto-approve"]);
}
