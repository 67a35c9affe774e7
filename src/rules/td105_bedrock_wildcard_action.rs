//! # TD105 bedrock-wildcard-action
//!
//! ## What it checks
//! An identity whose effective policies grant Bedrock invocation through a
//! wildcard action: `bedrock:*`, `*`, a partial wildcard such as
//! `bedrock:Invoke*`, or an Allow with `NotAction`. AWS managed policies
//! count (`AmazonBedrockFullAccess` grants `bedrock:*`), read from
//! trustdrift's own dated table. A wildcard that the permission boundary or
//! a Deny leaves granting nothing is not reported.
//!
//! ## Why it matters
//! A wildcard grants every Bedrock action AWS adds later, and with it the
//! control plane: creating agents, custom models, provisioned throughput
//! and guardrail changes, not just invoking a model. What the identity may
//! do can no longer be read from the policy.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}
//! ```
//!
//! ## Fix
//! List the actions the workload calls (`bedrock:InvokeModel`,
//! `bedrock:InvokeModelWithResponseStream`) on the resources it uses;
//! replace `AmazonBedrockFullAccess` with a policy of your own.

use super::bedrock::{ByStatement, finding, list, statement_name};
use super::{Finding, Rule, RuleContext};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD105",
    name: "bedrock-wildcard-action",
    severity: Severity::Medium,
    summary: "`bedrock:*` or `*` granting Bedrock",
    fix: "list the Bedrock actions the workload calls instead of a wildcard; replace AmazonBedrockFullAccess with your own policy",
    source: include_str!("td105_bedrock_wildcard_action.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for r in ctx.reach {
        let mut by = ByStatement::new();
        for w in &r.reach.wildcard_actions {
            let s = by.entry(w.origin.clone()).or_default();
            s.notes.insert(w.pattern.clone());
            s.actions.extend(w.actions.iter().cloned());
        }
        for (origin, s) in &by {
            out.push(finding(
                ctx,
                rule,
                r,
                origin,
                format!(
                    "{} is granted Bedrock through the wildcard action {} (it grants {}, and every Bedrock action AWS adds) through {}",
                    r.identity.address,
                    list(&s.notes),
                    list(&s.actions),
                    statement_name(origin)
                ),
            ));
        }
    }
}
