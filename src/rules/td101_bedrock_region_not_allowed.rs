//! # TD101 bedrock-region-not-allowed
//!
//! ## What it checks
//! An identity (role, user or group) whose effective policies allow a
//! Bedrock invocation action (`bedrock:InvokeModel`,
//! `bedrock:InvokeModelWithResponseStream`, `bedrock:CreateModelInvocationJob`,
//! `bedrock:InvokeAgent`, `bedrock:InvokeFlow`, `bedrock:RetrieveAndGenerate`)
//! in a Region the policy file's `bedrock { allowed_regions = [...] }` does
//! not list. The Regions are those of the resource ARNs, bounded by
//! `aws:RequestedRegion` conditions, Deny statements and the permission
//! boundary. A grant on any Region is TD102's; Regions reached only through
//! an inference profile's routing are TD103's. Quiet without a `bedrock`
//! block or without `allowed_regions`.
//!
//! ## Why it matters
//! Where a model runs decides where prompts and completions are processed.
//! Data-residency commitments ("customer data stays in the EU") are broken
//! by one policy that also names `us-east-1`, and nothing at apply time
//! stops it.
//!
//! ## Example
//! With `bedrock { allowed_regions = ["eu-west-1"] }`:
//! ```json
//! {"Effect": "Allow", "Action": "bedrock:InvokeModel",
//!  "Resource": ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
//!               "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]}
//! ```
//!
//! ## Fix
//! Name only allowed Regions in the resource ARNs, or add
//! `"Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}`;
//! if the Region is meant to be allowed, add it to `bedrock.allowed_regions`.

use super::bedrock::{ByStatement, finding, gather, list, region_list, statement_name};
use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::regions_outside;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD101",
    name: "bedrock-region-not-allowed",
    severity: Severity::High,
    summary: "Bedrock invocation allowed in a region outside `bedrock.allowed_regions`",
    fix: "name only allowed regions in the resource ARNs or bound them with aws:RequestedRegion; or add the region to bedrock.allowed_regions",
    source: include_str!("td101_bedrock_region_not_allowed.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(restrictions) = &ctx.policy.bedrock else {
        return;
    };
    let Some(allowed) = &restrictions.allowed_regions else {
        return;
    };
    for r in ctx.reach {
        let mut by = ByStatement::new();
        for o in regions_outside(&r.reach, restrictions) {
            // Any Region is TD102's; profile routing is TD103's.
            if o.unbounded || o.through_profile.is_some() {
                continue;
            }
            let Some(g) = r.reach.grants.get(o.grant) else {
                continue;
            };
            gather(&mut by, g, |s| {
                s.actions.insert(g.action.clone());
                s.regions.extend(o.regions.iter().cloned());
            });
        }
        for (origin, s) in &by {
            out.push(finding(
                ctx,
                rule,
                r,
                origin,
                format!(
                    "{} may invoke {} in {} (outside allowed regions {}) through {}",
                    r.identity.address,
                    list(&s.actions),
                    region_list(&s.regions),
                    region_list(allowed),
                    statement_name(origin)
                ),
            ));
        }
    }
}
