//! # TD103 bedrock-cross-region-profile
//!
//! ## What it checks
//! An identity allowed to invoke Bedrock through a cross-Region inference
//! profile (`eu.…`, `us.…`, `apac.…`, `global.…`) that routes calls to
//! Regions outside the policy file's `bedrock.allowed_regions`. Where a
//! profile routes is looked up in trustdrift's Region table per (profile,
//! source Region), never guessed; grants that serve only routed calls
//! (`bedrock:InferenceProfileArn` conditions) count through their profile.
//! Every `global.` profile is reported while Regions are restricted, unless
//! `allowed_profiles` lists `global`; a profile whose prefix
//! `allowed_profiles` does not list is reported too. Without a `bedrock`
//! block (or one that restricts neither Regions nor profiles), every
//! cross-Region profile is reported at low severity, naming its
//! destination Regions, so cross-Region reach is never invisible.
//!
//! ## Why it matters
//! A profile called in `eu-west-1` may run the model in `eu-central-1`,
//! `eu-north-1` or `eu-west-3`; a `global.` profile in any commercial
//! Region of the world. The call, its logs and its bill stay in the source
//! Region, so the Region a reviewer sees in the ARN is not where the data
//! is processed.
//!
//! ## Example
//! With `bedrock { allowed_regions = ["eu-west-1"] }`:
//! ```json
//! {"Effect": "Allow", "Action": "bedrock:InvokeModel",
//!  "Resource": "arn:aws:bedrock:eu-west-1:111111111111:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"}
//! ```
//!
//! ## Fix
//! Invoke the model in-Region (a `foundation-model` ARN in an allowed
//! Region) instead of through the profile; or, if the destinations are
//! acceptable, add them to `bedrock.allowed_regions` (for `global.`
//! profiles, `allowed_profiles = ["global"]`). AWS's way to turn global
//! profiles off is a Deny when `aws:RequestedRegion` is `unspecified`.

use super::bedrock::{ByStatement, finding, gather, list, region_list, statement_name};
use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::{
    InvocationGrant, Regions, cross_region_profiles, profiles_not_allowed, regions_outside,
};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD103",
    name: "bedrock-cross-region-profile",
    severity: Severity::High,
    summary: "an inference profile whose destination regions leave the allowed regions, and every `global.` profile when regions are restricted; without a `bedrock` block every cross-region profile at low severity",
    fix: "invoke the model in an allowed region instead of through the profile, or allow its destinations (allowed_regions, allowed_profiles)",
    source: include_str!("td103_bedrock_cross_region_profile.rs"),
    check,
};

const GLOBAL: &str = "every commercial region";

/// Is `profile` a `global.` profile the grant expands?
fn is_global(g: &InvocationGrant, profile: &str) -> bool {
    g.profile
        .as_ref()
        .is_some_and(|p| p.profile == profile && p.prefix.as_deref() == Some("global"))
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let restrictions = ctx
        .policy
        .bedrock
        .as_ref()
        .filter(|b| b.allowed_regions.is_some() || b.allowed_profiles.is_some());
    for r in ctx.reach {
        let mut by = ByStatement::new();
        match restrictions {
            Some(b) => {
                for o in regions_outside(&r.reach, b) {
                    let Some(profile) = &o.through_profile else {
                        continue;
                    };
                    let Some(g) = r.reach.grants.get(o.grant) else {
                        continue;
                    };
                    let global = is_global(g, profile);
                    gather(&mut by, g, |s| {
                        s.actions.insert(g.action.clone());
                        s.profiles.insert(profile.clone());
                        if global {
                            s.notes.insert(GLOBAL.to_string());
                        } else if o.unbounded {
                            s.unbounded = true;
                        } else {
                            s.regions.extend(o.regions.iter().cloned());
                        }
                    });
                }
                for p in profiles_not_allowed(&r.reach, b) {
                    let Some(g) = r.reach.grants.get(p.grant) else {
                        continue;
                    };
                    gather(&mut by, g, |s| {
                        s.actions.insert(g.action.clone());
                        s.profiles.insert(p.profile.clone());
                        s.prefixes.insert(match &p.prefix {
                            Some(prefix) => format!("`{prefix}`"),
                            None => "(none trustdrift knows)".to_string(),
                        });
                    });
                }
            }
            None => {
                for g in cross_region_profiles(&r.reach)
                    .into_iter()
                    .filter_map(|i| r.reach.grants.get(i))
                {
                    let Some(p) = &g.profile else { continue };
                    gather(&mut by, g, |s| {
                        s.actions.insert(g.action.clone());
                        s.profiles.insert(p.profile.clone());
                        if p.prefix.as_deref() == Some("global") {
                            s.notes.insert(GLOBAL.to_string());
                        } else {
                            match &p.destinations {
                                Regions::Only(d) => s.regions.extend(d.iter().cloned()),
                                Regions::Unknown(_) => {
                                    s.notes.insert("regions not known statically".to_string());
                                }
                                Regions::Any | Regions::Except(_) => s.unbounded = true,
                            }
                        }
                    });
                }
            }
        }
        for (origin, s) in &by {
            let mut dest: Vec<String> = Vec::new();
            if s.unbounded {
                dest.push("any region".to_string());
            }
            dest.extend(s.notes.iter().cloned());
            if !s.regions.is_empty() {
                dest.push(region_list(&s.regions));
            }
            let message = match restrictions {
                Some(b) => {
                    let mut m = format!(
                        "{} may invoke {} through inference profile {}",
                        r.identity.address,
                        list(&s.actions),
                        list(&s.profiles)
                    );
                    if !dest.is_empty() {
                        m.push_str(&format!(", which routes calls to {}", dest.join(", ")));
                        if let Some(allowed) = &b.allowed_regions {
                            m.push_str(&format!(
                                " (outside allowed regions {})",
                                region_list(allowed)
                            ));
                        }
                    }
                    m.push_str(&format!(" through {}", statement_name(origin)));
                    if !s.prefixes.is_empty() {
                        m.push_str(&format!(
                            "; profile prefix {} is not in bedrock.allowed_profiles",
                            list(&s.prefixes)
                        ));
                    }
                    m
                }
                None => format!(
                    "{} may invoke {} through cross-region inference profile {}, which routes calls to {} (no bedrock block restricts regions) through {}",
                    r.identity.address,
                    list(&s.actions),
                    list(&s.profiles),
                    dest.join(", "),
                    statement_name(origin)
                ),
            };
            let f = finding(ctx, rule, r, origin, message);
            out.push(if restrictions.is_some() {
                f
            } else {
                f.severity(Severity::Low)
            });
        }
    }
}
