//! # TD102 bedrock-any-region
//!
//! ## What it checks
//! An identity allowed a Bedrock invocation action on a resource whose
//! Region is a wildcard (`arn:aws:bedrock:*::foundation-model/*`,
//! `arn:aws:bedrock:*:*:inference-profile/*`) or on `"Resource": "*"`, with
//! no `aws:RequestedRegion` condition (in the statement, a Deny, or the
//! permission boundary) that bounds it to a list of Regions. A grant on
//! "every Region but these" (`StringNotEquals`) counts as unbounded. It
//! applies with or without a `bedrock` block in the policy file.
//!
//! ## Why it matters
//! A wildcard Region follows AWS wherever it launches Bedrock next: the
//! identity can run models in Regions nobody reviewed, including opt-in
//! Regions, and no Region restriction in the policy file can be checked
//! against it.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Action": "bedrock:InvokeModel",
//!  "Resource": "arn:aws:bedrock:*::foundation-model/*"}
//! ```
//!
//! ## Fix
//! Name the Regions in the ARNs (`arn:aws:bedrock:eu-west-1::foundation-model/*`),
//! or add `"Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}`,
//! or a Deny on `aws:RequestedRegion` outside the Regions you use.

use super::bedrock::{ByStatement, finding, gather, list, region_list, statement_name};
use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::{Regions, any_region_grants};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD102",
    name: "bedrock-any-region",
    severity: Severity::High,
    summary: "Bedrock invocation on a wildcard region or `*` resource without an `aws:RequestedRegion` condition that bounds it",
    fix: "name the regions in the resource ARNs, or add StringEquals aws:RequestedRegion with the regions you use",
    source: include_str!("td102_bedrock_any_region.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for r in ctx.reach {
        let mut by = ByStatement::new();
        for g in any_region_grants(&r.reach)
            .into_iter()
            .filter_map(|i| r.reach.grants.get(i))
        {
            gather(&mut by, g, |s| {
                s.actions.insert(g.action.clone());
                s.resources.insert(g.resource.clone());
                if let Regions::Except(but) = &g.regions {
                    s.notes.insert(region_list(but));
                }
            });
        }
        for (origin, s) in &by {
            let left_out = if s.notes.is_empty() {
                String::new()
            } else {
                format!(
                    " (its conditions leave out only {})",
                    s.notes.iter().cloned().collect::<Vec<_>>().join("; ")
                )
            };
            out.push(
                finding(
                    ctx,
                    rule,
                    r,
                    origin,
                    format!(
                        "{} may invoke {} on {} in any region{left_out}: no aws:RequestedRegion condition bounds it, through {}",
                        r.identity.address,
                        list(&s.actions),
                        list(&s.resources),
                        statement_name(origin)
                    ),
                )
                .missing("an aws:RequestedRegion condition that lists the regions"),
            );
        }
    }
}
