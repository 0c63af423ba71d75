//! Provider-defined functions as Terraform's `providerFunction` calls them.

use super::super::{Diags, Evaluator, ExternalFunction, Scope};
use crate::cty::{Type, Value};
use crate::diag::{Diagnostic, SourceRange};
use crate::hcl::ast::Traverser;
use crate::schema::{FunctionParam, FunctionSignature};
use std::sync::Arc;

/// `upper(s)`: its one parameter refuses null and unknown values.
struct Upper(FunctionSignature);

impl ExternalFunction for Upper {
    fn signature(&self) -> &FunctionSignature {
        &self.0
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, String> {
        match args[0].as_str() {
            Some("boom") => Err("it went boom".into()),
            Some(s) => Ok(Value::string(s.to_uppercase())),
            None => Err("not a string".into()),
        }
    }
}

struct TestScope;

impl Scope for TestScope {
    fn resolve(&self, root: &str, _steps: &[Traverser], range: &SourceRange) -> Result<(Value, usize), Diags> {
        match root {
            "secret" => Ok((Value::string("abc").mark_sensitive(), 0)),
            "later" => Ok((Value::unknown(Type::String), 0)),
            _ => Err(vec![Diagnostic::error("Unknown variable", root.to_string()).at(range.clone())]),
        }
    }

    fn prevalidates(&self) -> bool {
        false
    }

    fn provider_function(&self, name: &str) -> Option<Arc<dyn ExternalFunction>> {
        (name == "provider::acme::upper").then(|| {
            let param = FunctionParam { name: "s".into(), ty: Type::String, allow_null: false, allow_unknown: false };
            Arc::new(Upper(FunctionSignature { params: vec![param], variadic: None, returns: Type::String }))
                as Arc<dyn ExternalFunction>
        })
    }
}

fn eval(src: &str) -> (Value, Vec<String>) {
    let (e, d) = crate::hcl::parse_expression(src.as_bytes(), "t.tf");
    assert!(d.is_empty(), "{src}");
    let mut ev = Evaluator::new(&TestScope, std::path::Path::new("."), 0, src.as_bytes(), "t.tf");
    let (v, diags) = ev.eval(&e);
    (v, diags.iter().map(|d| format!("{}: {}", d.summary, d.detail)).collect())
}

#[test]
fn a_provider_function_is_called_with_converted_arguments() {
    assert_eq!(eval("provider::acme::upper(\"abc\")"), (Value::string("ABC"), vec![]));
    // Converted to the parameter's type, as Terraform converts it.
    assert_eq!(eval("provider::acme::upper(12)").0, Value::string("12"));
}

#[test]
fn null_unknown_and_marked_arguments_as_terraform() {
    let (_, errs) = eval("provider::acme::upper(null)");
    assert_eq!(errs, ["Invalid function argument: Invalid value for \"s\" parameter: argument must not be null."]);
    let (v, errs) = eval("provider::acme::upper(later)");
    assert!(errs.is_empty() && v.is_unknown() && v.ty() == Type::String, "{v:?} {errs:?}");
    let (v, errs) = eval("provider::acme::upper(secret)");
    assert!(errs.is_empty(), "{errs:?}");
    assert!(v.is_sensitive(), "the result keeps the argument's mark");
}

#[test]
fn errors_name_the_function() {
    let (_, errs) = eval("provider::acme::upper(\"boom\")");
    assert_eq!(errs, ["Error in function call: Call to function \"provider::acme::upper\" failed: it went boom."]);
    let (_, errs) = eval("provider::acme::upper(\"a\", \"b\")");
    assert!(errs[0].starts_with("Too many function arguments"), "{errs:?}");
    let (_, errs) = eval("provider::acme::nothing(\"a\")");
    assert!(errs[0].starts_with("Unknown provider function"), "{errs:?}");
}
