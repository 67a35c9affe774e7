//! # TD901 policy-document-invalid
//!
//! ## What it checks
//! A trust policy string that is not a valid IAM policy document: not JSON,
//! not an object with `Statement`, a statement without `Effect` or `Action`,
//! a trust statement without `Principal`, or a principal IAM does not accept
//! (a 13-digit account id, a malformed ARN, a wildcard inside an ARN such as
//! `arn:aws:iam::*:role/admin`), and what IAM accepts elsewhere but refuses
//! in a role trust policy: an `Effect` other than exactly `Allow` or `Deny`
//! (`"allow"`), a condition operator IAM does not know, a `CanonicalUser`
//! principal, or `NotPrincipal`. Each finding says what IAM will say. The
//! run goes on; a refused document admits nobody, so no other rule judges it
//! as live trust.
//!
//! A key written twice in one object (`{"AWS": "*", "AWS": "arn:…"}`) is
//! reported too. JSON parsers keep one of the two values silently, and how IAM
//! reads such a document is not documented; trustdrift judges both readings,
//! so the wider one decides the other rules' verdicts.
//!
//! In Terraform code, an argument or block that Terraform would refuse in an
//! `aws_iam_role`, a `data "aws_iam_policy_document"` or its `statement`,
//! `principals`, `not_principals` and `condition` blocks (`action` for
//! `actions`, `principal` for `principals`) is reported at the argument.
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
use crate::analyze::admission::refusals;
use crate::model::inventory::Trust;
use crate::model::principal::PrincipalClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD901",
    name: "policy-document-invalid",
    severity: Severity::High,
    summary: "a policy string that is not valid IAM policy JSON, or a trust document IAM refuses (`NotPrincipal`, `CanonicalUser`, a wildcard inside a principal, an unknown condition operator)",
    fix: "build the document with jsonencode() or data \"aws_iam_policy_document\"",
    source: include_str!("td901_policy_document_invalid.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    // Arguments Terraform refuses in trust-bearing code (`action` for
    // `actions`): what they meant is not in the trust.
    for r in &ctx.inventory.refused {
        out.push(Finding::new(
            rule,
            &r.address,
            &r.location,
            r.message.clone(),
        ));
    }
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
                        // A wildcard inside a principal is reported with its own reason.
                        let wildcard = p.id.contains('*') || p.id.contains('?');
                        if p.classify() == PrincipalClass::Unrecognised && !wildcard {
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
        if let Trust::Document(doc) = &role.trust {
            for (index, why) in refusals(&doc.statements) {
                let statement = doc.statements.iter().find(|s| s.index == index);
                out.push(
                    Finding::new(
                        rule,
                        &role.address,
                        role.statement_location(index),
                        format!(
                            "statement {index} of the trust policy of {}: {why}",
                            role.address
                        ),
                    )
                    .snippet(statement.and_then(|s| snippet(role, s))),
                );
            }
        }
    }
}
