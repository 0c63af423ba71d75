// The plan benchmark's configuration, shared with `engine/examples/replan.rs` (`include!`d by
// both): N `terraform_data` resources in 40 chains, a 30 % fan-out with its fan-in, and
// `for_each` over a map. Returns the configuration and its number of resource instances.
fn generate_config(n: usize) -> (String, usize) {
    let chains = 40usize;
    let chain_len = (n * 4 / 10 / chains).max(1);
    let fan = n * 3 / 10;
    let each = n.saturating_sub(chains * chain_len + fan + 2);
    let mut s = String::from("resource \"terraform_data\" \"root\" {\n  input = \"root\"\n}\n\n");
    for c in 0..chains {
        for i in 0..chain_len {
            let input = if i == 0 {
                "terraform_data.root.output".to_string()
            } else {
                format!("terraform_data.chain_{c}_{}.output", i - 1)
            };
            s.push_str(&format!("resource \"terraform_data\" \"chain_{c}_{i}\" {{\n  input = {input}\n}}\n\n"));
        }
    }
    s.push_str(&format!("resource \"terraform_data\" \"fan\" {{\n  count = {fan}\n  input = \"${{terraform_data.root.id}}-${{count.index}}\"\n}}\n\n"));
    s.push_str("resource \"terraform_data\" \"join\" {\n  input = length(terraform_data.fan[*].id)\n}\n\n");
    // range() yields at most 1,024 values (as in Terraform): build the keys in blocks of 1,000.
    let blocks = each.div_ceil(1000).max(1);
    s.push_str(&format!(
        "locals {{\n  numbers = flatten([for a in range({blocks}) : [for b in range(1000) : a * 1000 + b]])\n  items   = {{ for i in local.numbers : \"item-${{i}}\" => {{ n = i, name = format(\"item-%05d\", i) }} if i < {each} }}\n}}\n\n"
    ));
    s.push_str("resource \"terraform_data\" \"each\" {\n  for_each = local.items\n  input    = \"${each.value.name}:${each.value.n}\"\n}\n");
    (s, chains * chain_len + fan + each + 2)
}
