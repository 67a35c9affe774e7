//! # TD106 bedrock-unowned
//!
//! ## What it checks
//! An identity that may invoke Bedrock across Regions (in more than one
//! Region, counting where its inference profiles route, or in any Region)
//! or across accounts (models, profiles or agents another account owns),
//! with no owner: no owner tag on the identity (the policy's
//! `metadata.owner_tags`, default `owner`; `tags_all` counts, so provider
//! `default_tags` do) and no approval of its Bedrock reach in the baseline.
//!
//! ## Why it matters
//! Reach that spans Regions or accounts is the reach a data-residency or
//! cost question lands on. Without an owner nobody can say whether it is
//! still needed, and nobody revokes it when the workload goes away.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role" "app" {
//!   name = "app"
//!   # no owner tag; its policy invokes models in us-east-1 and us-west-2
//! }
//! ```
//!
//! ## Fix
//! Tag the identity (`owner = "team-ml"`), or approve its Bedrock reach in
//! the baseline with `trustdrift baseline approve KEY --owner ...`
//! (the key is `<identity address>|bedrock`).

use std::collections::BTreeSet;

use super::bedrock::{finding, region_list, statement_name};
use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::{Origin, Regions};
use crate::analyze::drift::reach_key;
use crate::analyze::metadata::reach_owner;
use crate::model::bedrock::regions::UNSPECIFIED;
use crate::model::bedrock::resource::ResourceType;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD106",
    name: "bedrock-unowned",
    severity: Severity::Medium,
    summary: "an identity that may invoke Bedrock across regions or accounts without owner metadata",
    fix: "tag the identity with an owner, or approve its Bedrock reach in the baseline with --owner",
    source: include_str!("td106_bedrock_unowned.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for r in ctx.reach {
        let key = reach_key(&r.identity.address);
        if reach_owner(r.identity, &key, ctx.policy, ctx.baseline).is_some() {
            continue;
        }
        let mut regions = BTreeSet::new();
        let mut unbounded = false;
        let mut accounts = BTreeSet::new();
        let mut origins: BTreeSet<&Origin> = BTreeSet::new();
        for g in &r.reach.grants {
            let mut counted = false;
            match g.reach_regions() {
                Regions::Only(s) => {
                    let named: Vec<&String> = s.iter().filter(|x| *x != UNSPECIFIED).collect();
                    counted |= !named.is_empty();
                    regions.extend(named.into_iter().cloned());
                }
                Regions::Any | Regions::Except(_) => {
                    unbounded = true;
                    counted = true;
                }
                Regions::Unknown(_) => {}
            }
            // Only an application profile or a model another account owns is
            // theirs; a system profile's ARN names the caller's own account.
            if g.cross_account == Some(true)
                && g.resource_type != Some(ResourceType::InferenceProfile)
            {
                if let crate::analyze::bedrock::Owner::Account(a) = &g.owner {
                    accounts.insert(a.clone());
                }
                counted = true;
            }
            if counted {
                origins.extend(g.via.iter());
            }
        }
        let across_regions = unbounded || regions.len() > 1;
        if !across_regions && accounts.is_empty() {
            continue;
        }
        let Some(first) = origins.first().copied() else {
            continue;
        };
        let mut what = Vec::new();
        if unbounded {
            what.push("in any region".to_string());
        } else if across_regions {
            what.push(format!("in {}", region_list(&regions)));
        }
        if !accounts.is_empty() {
            what.push(format!(
                "on resources of account{} {}",
                if accounts.len() > 1 { "s" } else { "" },
                accounts.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let statements: Vec<String> = origins.iter().map(|o| statement_name(o)).collect();
        let mut f = finding(
            ctx,
            rule,
            r,
            first,
            format!(
                "{} may invoke Bedrock {} and nobody owns it: no owner tag ({}) and no approval of {key} in the baseline; granted through {}",
                r.identity.address,
                what.join(" and "),
                ctx.policy.metadata.owner_tags.join(", "),
                statements.join(", ")
            ),
        )
        .missing(format!(
            "an owner tag ({})",
            ctx.policy.metadata.owner_tags.join(", ")
        ));
        f.related.push((
            r.identity.location.clone(),
            "the identity to tag with an owner".to_string(),
        ));
        out.push(f);
    }
}
