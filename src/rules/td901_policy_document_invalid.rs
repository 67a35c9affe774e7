//! # TD901 policy-document-invalid
//!
//! ## What it checks
//! A trust policy string that is not a valid IAM policy document: not JSON,
//! not an object with `Statement`, a statement without `Effect` or `Action`,
//! a trust statement without `Principal`, or a principal IAM does not accept
//! (a 13-digit account id, a malformed ARN). The run goes on; the role's trust
//! is reported as invalid.
//!
//! A key written twice in one object (`{"AWS": "*", "AWS": "arn:…"}`) is
//! reported too. JSON parsers keep one of the two values silently, and how IAM
//! reads such a document is not documented; trustdrift judges both readings,
//! so the wider one decides the other rules' verdicts.
//!
//! ## Why it matters
//! AWS rejects such a document at apply time, or, worse, accepts a different
//! reading of it than the reviewer had. Either way the trust that was reviewed
//! is not the trust that will exist.
//!
//! ## Example
//! ```hcl
//! assume_role_policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",}]}"
//! ```
//!
//! ## Fix
//! Build the document with `jsonencode()` or `data "aws_iam_policy_document"`,
//! which cannot produce malformed JSON, and check each principal.

use super::{Finding, Rule, RuleContext, snippet};
use crate::model::inventory::Trust;
use crate::model::principal::PrincipalClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD901",
    name: "policy-document-invalid",
    severity: Severity::High,
    summary: "a policy string that is not valid IAM policy JSON",
    fix: "build the document with jsonencode() or data \"aws_iam_policy_document\"",
    source: include_str!("td901_policy_document_invalid.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for role in ctx.inventory.roles.iter().filter(|r| !r.is_removed()) {
        match &role.trust {
            Trust::Invalid(e) => out.push(Finding::new(
                rule,
                &role.address,
                &role.trust_location,
                format!(
                    "the trust policy of {} is not a valid policy document: {e}",
                    role.address
                ),
            )),
            Trust::Document(doc) => {
                for d in &doc.duplicates {
                    out.push(Finding::new(
                        rule,
                        &role.address,
                        &role.trust_location,
                        format!(
                            "the trust policy of {}: {d}; IAM's reading of a duplicate key is not documented, so both values are judged",
                            role.address
                        ),
                    ));
                }
                for s in &doc.statements {
                    if s.principals.is_none() && s.not_principals.is_none() {
                        out.push(
                            Finding::new(
                                rule,
                                &role.address,
                                role.statement_location(s.index),
                                format!(
                                    "statement {} of the trust policy of {} has no Principal",
                                    s.index, role.address
                                ),
                            )
                            .snippet(snippet(role, s)),
                        );
                    }
                    for p in s
                        .principals
                        .iter()
                        .flatten()
                        .chain(s.not_principals.iter().flatten())
                    {
                        if p.classify() == PrincipalClass::Unrecognised {
                            out.push(
                                Finding::new(
                                    rule,
                                    &role.address,
                                    role.statement_location(s.index),
                                    format!(
                                        "the trust policy of {} names {} principal \"{}\", which IAM does not accept",
                                        role.address,
                                        p.kind.as_str(),
                                        p.id
                                    ),
                                )
                                .snippet(snippet(role, s)),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
