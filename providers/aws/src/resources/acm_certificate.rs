//! `aws_acm_certificate`: a TLS certificate in ACM, requested from Amazon (`domain_name`,
//! `subject_alternative_names`, `validation_method`) or imported (`certificate_body`,
//! `private_key`, `certificate_chain`), as in the Terraform AWS provider.
//!
//! An imported certificate's PEM texts are never read back (ACM does not return the private
//! key): the configured values are kept, so an import by ARN leaves them null and the next
//! apply re-imports the configured certificate in place, as Terraform does. A new body, key or
//! chain re-imports in place too (ImportCertificate with the ARN); a new domain name, SAN list
//! or validation method replaces the certificate.
//!
//! Refresh: ACM has no batch describe and no batch tag listing. A few certificates are read
//! with DescribeCertificate each; more start from one paged ListCertificates, whose summaries
//! carry everything Terraform reads but the DNS validation records, so DescribeCertificate is
//! only called for Amazon-issued certificates whose records are not in state yet, and where
//! a summary lacks the SAN list (it is truncated after 100 names). The tags still take one
//! ListTagsForCertificate per certificate.

use crate::delete::retry_while_in_use;
use crate::describe::{FEW, all_failed, bounded};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::model::{Object, Tags};
use crate::plan::missing;
use crate::resource::{Ctx, Refused, ResourceType, Result, invalid};
use crate::val::{self, rfc3339};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_acm::types::{
    CertificateDetail, CertificateOptions, CertificateStatus, CertificateSummary,
    CertificateTransparencyLoggingPreference, CertificateType, DomainValidationOption, Filters, KeyAlgorithm, Tag,
    ValidationMethod,
};
use aws_smithy_types::Blob;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct AcmCertificate;

/// How long ACM may take to assign the DNS validation records of a new certificate.
const DNS_ASSIGNMENT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long a deleted certificate may still be in use by a load balancer being changed.
const IN_USE_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// The page size of ListCertificates.
const LIST_PAGE: i32 = 1000;

/// An `aws_acm_certificate` object.
#[derive(Model, Clone, Debug, Default)]
struct Cert {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    domain_name: Option<String>,
    #[model(optional, computed, force_new)]
    subject_alternative_names: Option<BTreeSet<String>>,
    #[model(optional, computed, force_new)]
    validation_method: Option<String>,
    #[model(optional, computed, force_new)]
    key_algorithm: Option<String>,
    #[model(optional, force_new)]
    certificate_authority_arn: Option<String>,
    #[model(optional)]
    certificate_body: Option<String>,
    #[model(optional, sensitive)]
    private_key: Option<String>,
    #[model(optional)]
    certificate_chain: Option<String>,
    #[model(computed)]
    domain_validation_options: Option<BTreeSet<Object<Dvo>>>,
    #[model(computed)]
    validation_emails: Option<Vec<String>>,
    #[model(computed)]
    status: Option<String>,
    #[model(computed, name = "type")]
    kind: Option<String>,
    #[model(computed)]
    not_after: Option<String>,
    #[model(computed)]
    not_before: Option<String>,
    #[model(computed)]
    renewal_eligibility: Option<String>,
    #[model(computed)]
    renewal_summary: Option<Vec<Object<RenewalSummary>>>,
    #[model(computed)]
    pending_renewal: Option<bool>,
    #[model(optional)]
    early_renewal_duration: Option<String>,
    // Optional and computed in hashicorp/aws: a certificate that sets none keeps what ACM
    // gives it (logging ENABLED).
    #[model(block, max = 1, computed)]
    options: Option<CertOptions>,
    #[model(block = "set", force_new)]
    validation_option: Vec<ValidationOption>,
    #[model(flatten)]
    tags: Tags,
}

/// A DNS validation record (an element of `domain_validation_options`; its values are not
/// known at plan time but for the domain name).
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Dvo {
    #[model(computed)]
    domain_name: Option<String>,
    #[model(computed)]
    resource_record_name: Option<String>,
    #[model(computed)]
    resource_record_type: Option<String>,
    #[model(computed)]
    resource_record_value: Option<String>,
}

/// An element of `renewal_summary`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct RenewalSummary {
    #[model(computed)]
    renewal_status: Option<String>,
    #[model(computed)]
    renewal_status_reason: Option<String>,
    #[model(computed)]
    updated_at: Option<String>,
}

#[derive(Model, Clone, Debug, Default, PartialEq)]
struct CertOptions {
    #[model(optional)]
    certificate_transparency_logging_preference: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
struct ValidationOption {
    #[model(required)]
    domain_name: String,
    #[model(required)]
    validation_domain: String,
}

static REFUSED: &[Refused] = &[Refused {
    name: "early_renewal_duration",
    why: "it renews private certificates (issued by an AWS Private CA) early with RenewCertificate, and terrane's test environment (moto) has no private CA to prove that against.",
}];

/// The configured transparency logging preference, if any.
fn logging_preference(options: &Option<CertOptions>) -> Option<CertificateOptions> {
    let pref = options.as_ref()?.certificate_transparency_logging_preference.as_deref()?;
    Some(
        CertificateOptions::builder()
            .certificate_transparency_logging_preference(CertificateTransparencyLoggingPreference::from(pref))
            .build(),
    )
}

/// What only DescribeCertificate tells: `options` and `renewal_summary` as hashicorp/aws
/// flattens them (one element each, or none).
fn described(d: &CertificateDetail) -> (Option<CertOptions>, Vec<Object<RenewalSummary>>) {
    let options = d.options().map(|o| CertOptions {
        certificate_transparency_logging_preference: o
            .certificate_transparency_logging_preference()
            .map(|p| p.as_str().to_string()),
    });
    let summary = d
        .renewal_summary()
        .map(|r| {
            Object(RenewalSummary {
                renewal_status: Some(r.renewal_status().as_str().to_string()),
                renewal_status_reason: r.renewal_status_reason().map(|x| x.as_str().to_string()),
                updated_at: Some(rfc3339(r.updated_at())),
            })
        })
        .into_iter()
        .collect();
    (options, summary)
}

fn acm_tags(m: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    let tags: Vec<Tag> = m.iter().filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok()).collect();
    (!tags.is_empty()).then_some(tags)
}

/// Removes the private key from an error message, whatever produced it.
fn scrub(mut e: ProviderError, key: Option<&str>) -> ProviderError {
    if let Some(k) = key.map(str::trim).filter(|k| k.len() >= 16)
        && e.message.contains(k)
    {
        e.message = e.message.replace(k, "(sensitive value)");
    }
    e
}

/// ACM's DescribeCertificate spells key algorithms with hyphens (`RSA-2048`); Terraform
/// stores the API enum's spelling (`RSA_2048`).
fn key_algorithm(k: Option<&KeyAlgorithm>) -> Option<String> {
    let s = k?.as_str();
    let norm = |x: &str| x.replace('-', "_").to_lowercase();
    Some(KeyAlgorithm::values().iter().find(|v| norm(v) == norm(s)).copied().unwrap_or(s).to_string())
}

/// What Terraform records of a certificate's validation: the DNS records (a set) and the
/// validation e-mail addresses.
fn validations(d: &CertificateDetail) -> (BTreeSet<Object<Dvo>>, Vec<String>) {
    let mut records = BTreeSet::new();
    let mut emails = Vec::new();
    for v in d.domain_validation_options() {
        if let Some(r) = v.resource_record() {
            records.insert(Object(Dvo {
                domain_name: Some(v.domain_name().to_string()),
                resource_record_name: Some(r.name().to_string()),
                resource_record_type: Some(r.r#type().as_str().to_string()),
                resource_record_value: Some(r.value().to_string()),
            }));
        }
        emails.extend(v.validation_emails().iter().cloned());
    }
    (records, emails)
}

/// Terraform's validation method: the one of the DNS validations of an Amazon-issued
/// certificate, else `NONE`.
fn validation_method(d: &CertificateDetail) -> String {
    if d.r#type() == Some(&CertificateType::AmazonIssued)
        && let Some(m) = d.domain_validation_options().iter().find_map(|v| v.validation_method())
    {
        return m.as_str().to_string();
    }
    "NONE".to_string()
}

/// The validation records, e-mail addresses and method of a certificate.
type Validation = (Option<BTreeSet<Object<Dvo>>>, Option<Vec<String>>, Option<String>);
/// What only DescribeCertificate tells: the CA's ARN, `options` and `renewal_summary`.
type Described = (Option<String>, Option<CertOptions>, Option<Vec<Object<RenewalSummary>>>);

/// The attributes both a DescribeCertificate and a ListCertificates summary give.
struct Common<'a> {
    arn: &'a str,
    domain_name: Option<&'a str>,
    sans: &'a [String],
    status: Option<&'a CertificateStatus>,
    kind: Option<&'a CertificateType>,
    key_algorithm: Option<&'a KeyAlgorithm>,
    not_after: Option<&'a aws_smithy_types::DateTime>,
    not_before: Option<&'a aws_smithy_types::DateTime>,
    renewal_eligibility: Option<&'a str>,
}

fn build(
    c: &Ctx<'_>,
    x: &Common<'_>,
    (records, emails, method): Validation,
    (ca_arn, options, renewal_summary): Described,
    api_tags: &BTreeMap<String, String>,
    cur: &Cert,
) -> Value {
    let text = |s: Option<&str>| s.map(str::to_string);
    let time = |t: Option<&aws_smithy_types::DateTime>| t.map(rfc3339);
    Cert {
        id: Some(x.arn.to_string()),
        arn: Some(x.arn.to_string()),
        domain_name: text(x.domain_name),
        subject_alternative_names: Some(x.sans.iter().cloned().collect()),
        validation_method: method,
        key_algorithm: key_algorithm(x.key_algorithm),
        certificate_authority_arn: ca_arn,
        // Never read back (ACM does not return the private key): as configured.
        certificate_body: cur.certificate_body.clone(),
        private_key: cur.private_key.clone(),
        certificate_chain: cur.certificate_chain.clone(),
        domain_validation_options: records,
        validation_emails: emails,
        status: text(x.status.map(CertificateStatus::as_str)),
        kind: text(x.kind.map(CertificateType::as_str)),
        not_after: time(x.not_after),
        not_before: time(x.not_before),
        renewal_eligibility: text(x.renewal_eligibility),
        renewal_summary,
        // Only early_renewal_duration (refused) makes a renewal pending.
        pending_renewal: Some(false),
        early_renewal_duration: cur.early_renewal_duration.clone(),
        options,
        validation_option: cur.validation_option.clone(),
        tags: cur.tags.read_back(c, api_tags),
    }
    .to_value()
}

fn from_detail(c: &Ctx<'_>, d: &CertificateDetail, tags: &BTreeMap<String, String>, cur: &Cert) -> Value {
    let (records, emails) = validations(d);
    let common = Common {
        arn: d.certificate_arn().unwrap_or_default(),
        domain_name: d.domain_name(),
        sans: d.subject_alternative_names(),
        status: d.status(),
        kind: d.r#type(),
        key_algorithm: d.key_algorithm(),
        not_after: d.not_after(),
        not_before: d.not_before(),
        renewal_eligibility: d.renewal_eligibility().map(|r| r.as_str()),
    };
    let (options, renewal_summary) = described(d);
    let described = (d.certificate_authority_arn().map(str::to_string), options, Some(renewal_summary));
    build(c, &common, (Some(records), Some(emails), Some(validation_method(d))), described, tags, cur)
}

/// Whether a ListCertificates summary (with what state already holds) is enough to read the
/// certificate without DescribeCertificate.
fn summary_suffices(s: &CertificateSummary, cur: &Cert) -> bool {
    // The SAN list: complete, and present (AWS always lists the domain name among them).
    if s.has_additional_subject_alternative_names() == Some(true) || s.subject_alternative_name_summaries().is_empty() {
        return false;
    }
    match s.r#type() {
        Some(CertificateType::Imported) => true,
        // Its CA's ARN is only in the description: state must hold it already.
        Some(CertificateType::Private) => cur.certificate_authority_arn.is_some(),
        // DNS records never change once assigned; they must be in state already.
        Some(CertificateType::AmazonIssued) => match cur.validation_method.as_deref() {
            None => false,
            Some("DNS") => cur.domain_validation_options.as_ref().is_some_and(|r| !r.is_empty()),
            Some(_) => true,
        },
        _ => false,
    }
}

fn from_summary(c: &Ctx<'_>, s: &CertificateSummary, tags: &BTreeMap<String, String>, cur: &Cert) -> Value {
    let validation = match s.r#type() {
        Some(CertificateType::AmazonIssued) => {
            (cur.domain_validation_options.clone(), cur.validation_emails.clone(), cur.validation_method.clone())
        }
        _ => (Some(BTreeSet::new()), Some(Vec::new()), Some("NONE".to_string())),
    };
    let common = Common {
        arn: s.certificate_arn().unwrap_or_default(),
        domain_name: s.domain_name(),
        sans: s.subject_alternative_name_summaries(),
        status: s.status(),
        kind: s.r#type(),
        key_algorithm: s.key_algorithm(),
        not_after: s.not_after(),
        not_before: s.not_before(),
        renewal_eligibility: s.renewal_eligibility().map(|r| r.as_str()),
    };
    // (A summary lacks them: what state holds, as DescribeCertificate last gave it.)
    let described = (cur.certificate_authority_arn.clone(), cur.options.clone(), cur.renewal_summary.clone());
    build(c, &common, validation, described, tags, cur)
}

/// One certificate; `None` when it does not exist (or its validation timed out, which
/// Terraform treats as gone).
async fn find(c: &Ctx<'_>, arn: &str) -> Result<Option<CertificateDetail>> {
    match c.clients.acm.describe_certificate().certificate_arn(arn).send().await {
        Ok(o) => Ok(o.certificate().cloned().filter(|d| d.status() != Some(&CertificateStatus::ValidationTimedOut))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading ACM certificate {arn}"), e)),
    }
}

async fn tags_of(c: &Ctx<'_>, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = c
        .clients
        .acm
        .list_tags_for_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the tags of ACM certificate {arn}"), e))?;
    Ok(out.tags().iter().map(|t| (t.key().to_string(), t.value().unwrap_or_default().to_string())).collect())
}

/// Every certificate of the account and region (all statuses and key types), by ARN.
async fn list_all(c: &Ctx<'_>) -> Result<HashMap<String, CertificateSummary>> {
    let includes = Filters::builder().set_key_types(Some(KeyAlgorithm::values().iter().map(|k| (*k).into()).collect()));
    let summaries = c
        .clients
        .acm
        .list_certificates()
        .includes(includes.build())
        .max_items(LIST_PAGE)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| sdk_error("listing ACM certificates", e))?;
    Ok(summaries.into_iter().filter_map(|s| Some((s.certificate_arn()?.to_string(), s))).collect())
}

/// Reads one certificate: from its summary when that is enough, else described.
async fn read_one_cert(
    c: &Ctx<'_>,
    cur: &Cert,
    summaries: Option<&HashMap<String, CertificateSummary>>,
) -> Result<Option<Value>> {
    let arn = cur.id.clone().unwrap_or_default();
    if arn.is_empty() {
        return Ok(None);
    }
    if let Some(s) = summaries.and_then(|m| m.get(&arn)).filter(|s| summary_suffices(s, cur)) {
        let tags = tags_of(c, &arn).await?;
        return Ok(Some(from_summary(c, s, &tags, cur)));
    }
    let Some(d) = find(c, &arn).await? else { return Ok(None) };
    let tags = tags_of(c, &arn).await?;
    Ok(Some(from_detail(c, &d, &tags, cur)))
}

/// Waits until ACM has assigned the validation records (or e-mails) of a requested
/// certificate, as Terraform does before it reads the certificate.
async fn wait_validations(c: &Ctx<'_>, arn: &str) -> Result<()> {
    wait_for(&format!("ACM certificate {arn} to get its domain validations"), DNS_ASSIGNMENT_TIMEOUT, || async {
        let Some(d) = find(c, arn).await? else { return Ok(Poll::Pending("not found yet".into())) };
        let ready = match d.r#type() {
            Some(CertificateType::AmazonIssued) => d.domain_validation_options().iter().any(|v| {
                v.resource_record().is_some()
                    || !v.validation_emails().is_empty()
                    || v.validation_status().map(|s| s.as_str()) == Some("SUCCESS")
            }),
            Some(CertificateType::Private) => d.status() != Some(&CertificateStatus::PendingValidation),
            _ => true,
        };
        Ok(if ready { Poll::Done(()) } else { Poll::Pending("validation records not assigned yet".into()) })
    })
    .await
}

/// Whether a configured string is set (unknown counts: it will be).
fn set(config: &Value, k: &str) -> bool {
    !missing(config, k)
}

impl AcmCertificate {
    async fn read_one(&self, c: &Ctx<'_>, arn: &str, like: &Cert) -> Result<Value> {
        let stub = Cert { id: Some(arn.to_string()), ..like.clone() };
        read_one_cert(c, &stub, None).await?.ok_or_else(|| ProviderError::new(format!("ACM certificate {arn} is gone")))
    }

    async fn import_pem(&self, c: &Ctx<'_>, planned: &Cert, arn: Option<&str>) -> Result<String> {
        let key = planned.private_key.clone();
        let what = match arn {
            Some(a) => format!("re-importing ACM certificate {a}"),
            None => "importing ACM certificate".to_string(),
        };
        let mut req = c
            .clients
            .acm
            .import_certificate()
            .certificate(Blob::new(planned.certificate_body.clone().unwrap_or_default()))
            .private_key(Blob::new(key.clone().unwrap_or_default()))
            .set_certificate_chain(planned.certificate_chain.clone().map(Blob::new))
            .set_certificate_arn(arn.map(str::to_string));
        if arn.is_none() {
            req = req.set_tags(acm_tags(&planned.tags.at_create(c)));
        }
        let out = req.send().await.map_err(|e| scrub(sdk_error(&what, e), key.as_deref()))?;
        out.certificate_arn()
            .map(str::to_string)
            .ok_or_else(|| ProviderError::new(format!("{what}: no ARN in the response")))
    }
}

#[async_trait]
impl ResourceType for AcmCertificate {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Acm)
    }

    fn name(&self) -> &'static str {
        "aws_acm_certificate"
    }

    fn schema(&self) -> Schema {
        Cert::schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let (domain, key, body) =
            (set(config, "domain_name"), set(config, "private_key"), set(config, "certificate_body"));
        if domain == key {
            out.push(invalid(
                "Invalid combination of arguments",
                "\"domain_name\": exactly one of `domain_name` (to request a certificate) or `private_key` (to import one) must be specified.",
            ));
        }
        if key != body {
            out.push(invalid(
                "Missing required argument",
                "\"certificate_body\": all of `certificate_body,private_key` must be specified to import a certificate.",
            ));
        }
        if domain {
            for k in ["certificate_body", "certificate_chain", "private_key"] {
                if set(config, k) {
                    out.push(invalid(
                        "Conflicting configuration arguments",
                        format!("\"domain_name\": conflicts with {k}: a certificate is either requested or imported."),
                    ));
                }
            }
        }
        if key || body {
            for k in ["validation_method", "subject_alternative_names", "certificate_authority_arn", "key_algorithm"] {
                if set(config, k) {
                    out.push(invalid(
                        "Conflicting configuration arguments",
                        format!("\"{k}\": conflicts with certificate_body: an imported certificate takes neither."),
                    ));
                }
            }
        }
        if set(config, "validation_method") && set(config, "certificate_authority_arn") {
            out.push(invalid(
                "Conflicting configuration arguments",
                "\"validation_method\": conflicts with certificate_authority_arn: a private certificate is not validated.",
            ));
        }
        if domain && missing(config, "validation_method") && missing(config, "certificate_authority_arn") {
            out.push(invalid(
                "Missing required argument",
                "`certificate_authority_arn` or `validation_method` must be set when creating an ACM certificate.",
            ));
        }
        if let Some(m) = val::string(config, "validation_method")
            && !ValidationMethod::values().contains(&m.as_str())
        {
            out.push(invalid(
                "Invalid validation_method",
                format!("expected validation_method to be one of {:?}, got {m:?}", ValidationMethod::values()),
            ));
        }
        if let Some(k) = val::string(config, "key_algorithm")
            && !KeyAlgorithm::values().contains(&k.as_str())
        {
            out.push(invalid(
                "Invalid key_algorithm",
                format!("expected key_algorithm to be one of {:?}, got {k:?}", KeyAlgorithm::values()),
            ));
        }
        let mut names: Vec<String> = val::strings(config, "subject_alternative_names");
        names.extend(val::string(config, "domain_name"));
        for n in names {
            if n.ends_with('.') || n.is_empty() || n.len() > 253 {
                out.push(invalid(
                    "Invalid domain name",
                    format!("{n:?}: a domain name has 1 to 253 characters and cannot end with a period."),
                ));
            }
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let prior = prior.filter(|p| !p.is_null());
        // ACM adds the domain name to the SANs: so does the plan (Terraform's CustomizeDiff),
        // so listing it or not makes no difference.
        if let Some(domain) = config.get_attr("domain_name").and_then(Value::as_str) {
            let sans = config.get_attr("subject_alternative_names").cloned().unwrap_or(Value::NULL);
            let prior_domain = prior.and_then(|p| Cert::from_stub(p).ok()).and_then(|p| p.domain_name);
            let domain_changed = prior.is_none() || prior_domain.as_deref() != Some(domain);
            let configured = match sans.unmark().0 {
                Value::Null(_) => domain_changed.then(Vec::new),
                v @ (Value::List(_) | Value::Set(_))
                    if v.as_seq().unwrap_or(&[]).iter().all(|i| i.as_str().is_some()) =>
                {
                    Some(v.as_seq().unwrap_or(&[]).to_vec())
                }
                _ => None,
            };
            if let Some(mut names) = configured {
                names.push(Value::from(domain));
                let mut with_domain = config.clone();
                with_domain.set_at_path(&[PathStep::Attr("subject_alternative_names".into())], Value::set_any(names));
                let tags_all = plan.planned.get_attr("tags_all").cloned();
                *plan = terrane_engine::plan::diff::generic_plan(&Cert::schema(), prior, &with_domain);
                if let Some(t) = tags_all {
                    plan.planned.set_at_path(&[PathStep::Attr("tags_all".into())], t);
                }
            }
        }
        let new_object = prior.is_none() || !plan.requires_replace.is_empty();
        // The DNS validation records to create are known by domain name at plan time, so
        // `for_each` over them (Route 53 records) can be planned.
        if new_object
            && val::string(config, "validation_method").as_deref() == Some("DNS")
            && let Some(names) = plan.planned.get_attr("subject_alternative_names").and_then(Value::as_seq)
            && names.iter().all(|n| n.as_str().is_some())
        {
            let records = names
                .iter()
                .map(|n| {
                    Value::object([
                        ("domain_name", n.clone()),
                        ("resource_record_name", Value::DYNAMIC),
                        ("resource_record_type", Value::DYNAMIC),
                        ("resource_record_value", Value::DYNAMIC),
                    ])
                })
                .collect();
            plan.planned.set_at_path(&[PathStep::Attr("domain_validation_options".into())], Value::set_any(records));
        }
        // A re-import changes what ACM read from the certificate.
        if let Some(p) = prior
            && plan.requires_replace.is_empty()
            && ["certificate_body", "private_key", "certificate_chain"].iter().any(|k| {
                !terrane_engine::plan::diff::same(
                    &p.get_attr(k).cloned().unwrap_or_default().deep_unmark(),
                    &plan.planned.get_attr(k).cloned().unwrap_or_default().deep_unmark(),
                )
            })
        {
            for k in ["domain_name", "subject_alternative_names", "key_algorithm", "status", "not_after", "not_before"]
            {
                if missing(config, k) {
                    plan.planned.set_at_path(&[PathStep::Attr(k.into())], Value::DYNAMIC);
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Cert::from_value(planned)?;
        let arn = if let Some(domain) = &planned.domain_name {
            let sans: Vec<String> = planned.subject_alternative_names.iter().flatten().cloned().collect();
            let options: Vec<DomainValidationOption> = planned
                .validation_option
                .iter()
                .filter_map(|o| {
                    DomainValidationOption::builder()
                        .domain_name(&o.domain_name)
                        .validation_domain(&o.validation_domain)
                        .build()
                        .ok()
                })
                .collect();
            let out = c
                .clients
                .acm
                .request_certificate()
                .domain_name(domain)
                .idempotency_token(format!("tf{}", c.unique_suffix()))
                .set_subject_alternative_names((!sans.is_empty()).then_some(sans))
                .set_validation_method(planned.validation_method.as_deref().map(ValidationMethod::from))
                .set_domain_validation_options((!options.is_empty()).then_some(options))
                .set_certificate_authority_arn(planned.certificate_authority_arn.clone())
                .set_key_algorithm(planned.key_algorithm.as_deref().map(KeyAlgorithm::from))
                .set_options(logging_preference(&planned.options))
                .set_tags(acm_tags(&planned.tags.at_create(c)))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("requesting ACM certificate ({domain})"), e))?;
            out.certificate_arn()
                .map(str::to_string)
                .ok_or_else(|| ProviderError::new("requesting ACM certificate: no ARN in the response"))?
        } else {
            self.import_pem(c, &planned, None).await?
        };
        let partial = || Cert { id: Some(arn.clone()), arn: Some(arn.clone()), ..planned.clone() }.to_value();
        wait_validations(c, &arn).await.map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &arn, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag RequestCertificate or ImportCertificate gave it: a certificate
    /// has no unique name (the request's idempotency token, derived from the same token, only
    /// dedupes retries for an hour, and cannot be looked up), and ACM cannot filter by tag, so
    /// every certificate is listed and its tags read, eight at a time. The validations are
    /// waited for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(token) = c.token else { return Ok(None) };
        let arns: Vec<String> = list_all(c).await?.into_keys().collect();
        let tagged = bounded(
            arns.into_iter()
                .map(|arn| async move {
                    match tags_of(c, &arn).await {
                        Ok(t) => Ok(t.get(crate::tags::TOKEN_TAG).is_some_and(|v| v == token).then_some(arn)),
                        Err(e) => Err(e),
                    }
                })
                .collect(),
        )
        .await;
        let mut found = None;
        for t in tagged {
            found = found.or(t?);
        }
        let Some(arn) = found else { return Ok(None) };
        wait_validations(c, &arn).await?;
        read_one_cert(c, &Cert { id: Some(arn), ..Cert::from_stub(planned)? }, None).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let summaries = if current.len() > FEW {
            match list_all(c).await {
                Ok(s) => Some(s),
                Err(e) => return all_failed(current.len(), &e),
            }
        } else {
            None
        };
        let summaries = summaries.as_ref();
        bounded(
            current
                .iter()
                .map(|cur| async move { read_one_cert(c, &Cert::from_stub(cur)?, summaries).await })
                .collect(),
        )
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Cert::from_stub(prior)?, Cert::from_value(planned)?);
        let arn = prior.id.clone().unwrap_or_default();
        let mut old_tags = prior.tags.wanted();
        if prior.certificate_body != planned.certificate_body
            || prior.private_key != planned.private_key
            || prior.certificate_chain != planned.certificate_chain
        {
            self.import_pem(c, &planned, Some(&arn)).await?;
            // ACM keeps the tags of a re-imported certificate; moto drops them. Compare with
            // what the certificate holds now.
            old_tags = crate::tags::visible(&tags_of(c, &arn).await?);
        }
        let acm = &c.clients.acm;
        if prior.options != planned.options
            && let Some(options) = logging_preference(&planned.options)
        {
            acm.update_certificate_options()
                .certificate_arn(&arn)
                .options(options)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the options of ACM certificate {arn}"), e))?;
        }
        crate::tags::update(
            &old_tags,
            &planned.tags.wanted(),
            async |keys| {
                let keys: Vec<Tag> = keys.iter().filter_map(|k| Tag::builder().key(k).build().ok()).collect();
                let req = acm.remove_tags_from_certificate().certificate_arn(&arn).set_tags(Some(keys));
                let sent = req.send().await.map(drop);
                sent.map_err(|e| sdk_error(&format!("removing tags from ACM certificate {arn}"), e))
            },
            async |set| {
                let req = acm.add_tags_to_certificate().certificate_arn(&arn).set_tags(acm_tags(&set));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging ACM certificate {arn}"), e))
            },
        )
        .await?;
        self.read_one(c, &arn, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let arn = Cert::from_stub(prior)?.id.unwrap_or_default();
        // A load balancer listener that let go of the certificate a moment ago may still
        // hold it: retry while ACM says it is in use.
        retry_while_in_use(
            &format!("ACM certificate {arn} to be deleted"),
            IN_USE_TIMEOUT,
            &format!("deleting ACM certificate {arn}"),
            |e| (code(e) == Some("ResourceInUseException")).then(|| describe("in use", e)),
            || c.clients.acm.delete_certificate().certificate_arn(&arn).send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::val::Obj;

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        let mut v = Obj::new(&Cert::schema()).build();
        for (k, x) in pairs {
            v.set_at_path(&[PathStep::Attr(k.into())], x);
        }
        v
    }

    #[test]
    fn requested_or_imported_never_both() {
        let ok = config(vec![("domain_name", "example.com".into()), ("validation_method", "DNS".into())]);
        assert!(AcmCertificate.validate(&ok).is_empty(), "{:?}", AcmCertificate.validate(&ok));
        let neither = config(vec![]);
        assert!(AcmCertificate.validate(&neither)[0].detail.contains("exactly one of"));
        let both = config(vec![
            ("domain_name", "example.com".into()),
            ("validation_method", "DNS".into()),
            ("certificate_body", "PEM".into()),
            ("private_key", "KEY".into()),
        ]);
        assert!(AcmCertificate.validate(&both).iter().any(|d| d.detail.contains("conflicts with")));
        let no_method = config(vec![("domain_name", "example.com".into())]);
        assert!(AcmCertificate.validate(&no_method)[0].detail.contains("must be set when creating"));
        let key_only = config(vec![("private_key", "KEY".into())]);
        assert!(AcmCertificate.validate(&key_only)[0].detail.contains("certificate_body,private_key"));
        let dot = config(vec![("domain_name", "example.com.".into()), ("validation_method", "DNS".into())]);
        assert!(AcmCertificate.validate(&dot)[0].detail.contains("period"));
        let unknown = config(vec![("domain_name", Value::DYNAMIC), ("validation_method", "DNS".into())]);
        assert!(AcmCertificate.validate(&unknown).is_empty());
    }

    #[test]
    fn plan_adds_the_domain_to_the_sans_and_predicts_the_records() {
        let cfg = config(vec![
            ("domain_name", "example.com".into()),
            ("subject_alternative_names", Value::set_any(vec!["www.example.com".into()])),
            ("validation_method", "DNS".into()),
        ]);
        let mut plan = terrane_engine::plan::diff::generic_plan(&Cert::schema(), None, &cfg);
        AcmCertificate.customize_plan(None, &cfg, &mut plan);
        assert_eq!(
            plan.planned.get_attr("subject_alternative_names"),
            Some(&Value::set_any(vec!["example.com".into(), "www.example.com".into()]))
        );
        let dvo = plan.planned.get_attr("domain_validation_options").and_then(Value::as_seq).unwrap();
        let names: Vec<_> = dvo.iter().filter_map(|d| val::string(d, "domain_name")).collect();
        assert_eq!(names, vec!["example.com", "www.example.com"]);
        assert_eq!(dvo[0].get_attr("resource_record_name"), Some(&Value::DYNAMIC));

        // The certificate as read back: the domain among its SANs; the same config is no change.
        let mut prior = plan.planned.clone().unknowns_to_null();
        prior.set_at_path(&[PathStep::Attr("id".into())], Value::from("arn:acm"));
        let mut again = terrane_engine::plan::diff::generic_plan(&Cert::schema(), Some(&prior), &cfg);
        AcmCertificate.customize_plan(Some(&prior), &cfg, &mut again);
        assert!(again.requires_replace.is_empty(), "{:?}", again.requires_replace);
        // Another SAN replaces it.
        let more = config(vec![
            ("domain_name", "example.com".into()),
            ("subject_alternative_names", Value::set_any(vec!["api.example.com".into()])),
            ("validation_method", "DNS".into()),
        ]);
        let mut replan = terrane_engine::plan::diff::generic_plan(&Cert::schema(), Some(&prior), &more);
        AcmCertificate.customize_plan(Some(&prior), &more, &mut replan);
        assert_eq!(replan.requires_replace, vec![vec![PathStep::Attr("subject_alternative_names".into())]]);
    }

    #[test]
    fn summaries_are_enough_only_with_what_they_lack_in_state() {
        let summary = |kind: CertificateType, sans: &[&str]| {
            CertificateSummary::builder()
                .certificate_arn("arn:acm")
                .domain_name("example.com")
                .set_subject_alternative_name_summaries(Some(sans.iter().map(|s| s.to_string()).collect()))
                .r#type(kind)
                .build()
        };
        let empty = Cert { id: Some("arn:acm".into()), ..Cert::default() };
        assert!(summary_suffices(&summary(CertificateType::Imported, &["example.com"]), &empty));
        assert!(!summary_suffices(&summary(CertificateType::Imported, &[]), &empty), "no SAN list: describe");
        assert!(!summary_suffices(&summary(CertificateType::AmazonIssued, &["example.com"]), &empty));
        let record = Dvo { domain_name: Some("example.com".into()), ..Dvo::default() };
        let with_records = Cert {
            id: Some("arn:acm".into()),
            validation_method: Some("DNS".into()),
            domain_validation_options: Some(BTreeSet::from([Object(record)])),
            ..Cert::default()
        };
        assert!(summary_suffices(&summary(CertificateType::AmazonIssued, &["example.com"]), &with_records));
    }

    #[test]
    fn key_algorithms_are_spelled_as_the_api_enum() {
        assert_eq!(key_algorithm(Some(&KeyAlgorithm::from("RSA-2048"))).as_deref(), Some("RSA_2048"));
        assert_eq!(key_algorithm(Some(&KeyAlgorithm::from("EC-prime256v1"))).as_deref(), Some("EC_prime256v1"));
    }
}
