//! # TD004 oidc-subject-unpinned
//!
//! ## What it checks
//! A federated web-identity principal (an IAM OIDC provider such as GitHub
//! Actions, GitLab, HCP Terraform or an EKS cluster) trusted without both an
//! `HOST:aud` condition and an `HOST:sub` condition pinned to one repository,
//! project or service account. A `sub` pattern that spans an organisation
//! (`repo:my-org/*`, `project_path:group/*`, `organization:acme:*`,
//! `system:serviceaccount:*:*`) counts as unpinned. Built-in providers
//! (`cognito-identity.amazonaws.com`, `accounts.google.com`) need their `aud`.
//!
//! ## Why it matters
//! Without a `sub` condition, any workflow of any repository on GitHub (or any
//! project on the same GitLab, any workspace of HCP Terraform) can request a
//! token the provider signs and become the role. AWS documents this as the
//! main misconfiguration of OIDC trust.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow",
//!  "Principal": {"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
//!  "Action": "sts:AssumeRoleWithWebIdentity",
//!  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}}
//! ```
//!
//! ## Fix
//! Add `"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}` and
//! pin the subject: `"token.actions.githubusercontent.com:sub": "repo:my-org/deploy:ref:refs/heads/main"`
//! (or `repo:my-org/deploy:environment:production`).

use super::{Finding, Rule, RuleContext, path_finding};
use crate::analyze::trust::{NarrowingKey, ScopeCondition, ScopeState, provider_host};
use crate::model::principal::PrincipalClass;
use crate::model::severity::Severity;
use crate::model::value::unknown_refs;

pub static RULE: Rule = Rule {
    code: "TD004",
    name: "oidc-subject-unpinned",
    severity: Severity::High,
    summary: "a federated OIDC principal without an `aud` and a `sub` condition pinned to a repository, project or service account",
    fix: "add an HOST:aud condition and pin HOST:sub to one repository, project or service account",
    source: include_str!("td004_oidc_subject_unpinned.rs"),
    check,
};

fn has_wildcard(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

/// Does a `sub` pattern name one repository, project or service account?
fn pinned(host: &str, value: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host.starts_with("token.actions.githubusercontent.com") {
        if let Some(rest) = value.strip_prefix("repo:") {
            let repo = rest.split(':').next().unwrap_or("");
            return matches!(repo.split_once('/'), Some((o, r)) if !o.is_empty() && !r.is_empty() && !has_wildcard(o) && !has_wildcard(r));
        }
    } else if host.contains("gitlab") {
        if let Some(rest) = value.strip_prefix("project_path:") {
            let path = rest.split(':').next().unwrap_or("");
            return path.contains('/') && !has_wildcard(path);
        }
    } else if host.starts_with("app.terraform.io") {
        let parts: Vec<&str> = value.split(':').collect();
        let field = |name: &str| {
            parts
                .iter()
                .position(|p| *p == name)
                .and_then(|i| parts.get(i + 1))
                .copied()
        };
        let org_ok = field("organization").is_some_and(|o| !o.is_empty() && !has_wildcard(o));
        let narrower = field("project")
            .or(field("workspace"))
            .is_some_and(|p| !p.is_empty() && !has_wildcard(p));
        return org_ok && narrower;
    } else if host.starts_with("oidc.eks.") {
        if let Some(rest) = value.strip_prefix("system:serviceaccount:") {
            return matches!(rest.split_once(':'), Some((ns, sa)) if !ns.is_empty() && !sa.is_empty() && !has_wildcard(ns) && !has_wildcard(sa));
        }
    }
    !has_wildcard(value)
}

fn claim<'s>(
    scope: &'s [ScopeCondition<'s>],
    host: &str,
    name: &str,
) -> Vec<&'s ScopeCondition<'s>> {
    scope
        .iter()
        .filter(|s| matches!(&s.key, NarrowingKey::OidcClaim { host: h, claim } if claim == name && h.eq_ignore_ascii_case(host)))
        .collect()
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx.paths.iter() {
        let Some(host) = provider_host(&p.class) else {
            continue;
        };
        // A claim key whose provider is only known after apply: TD012's concern.
        if p.statement
            .conditions
            .iter()
            .any(|c| !unknown_refs(&c.key).is_empty())
        {
            continue;
        }
        let oidc = matches!(p.class, PrincipalClass::OidcProvider { .. });
        let effective = |name: &str| -> Vec<&ScopeCondition<'_>> {
            claim(&p.scope, host, name)
                .into_iter()
                .filter(|s| s.state == ScopeState::Effective)
                .collect()
        };
        if claim(&p.scope, host, "sub")
            .iter()
            .chain(claim(&p.scope, host, "aud").iter())
            .any(|s| matches!(s.state, ScopeState::Unverifiable(_)))
        {
            continue;
        }
        let mut problems = Vec::new();
        let mut missing = Vec::new();
        if effective("aud").is_empty() {
            problems.push(format!("there is no {host}:aud condition"));
            missing.push(format!("{host}:aud"));
        }
        if oidc {
            let subs = effective("sub");
            if subs.is_empty() {
                problems.push(format!("there is no {host}:sub condition, so any subject the provider signs for gets in"));
                missing.push(format!(
                    "{host}:sub pinned to one repository, project or service account"
                ));
            } else {
                let loose: Vec<&str> = subs
                    .iter()
                    .filter(|s| s.condition.operator.has_wildcards())
                    .flat_map(|s| s.condition.values.iter())
                    .map(String::as_str)
                    .filter(|v| !pinned(host, v))
                    .collect();
                if !loose.is_empty() {
                    problems.push(format!(
                        "{host}:sub {} admits more than one repository, project or service account",
                        loose
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    missing.push(format!(
                        "{host}:sub pinned to one repository, project or service account"
                    ));
                }
            }
        }
        if problems.is_empty() {
            continue;
        }
        out.push(
            path_finding(
                rule,
                p,
                format!(
                    "{} trusts the identity provider {host}, but {}",
                    p.role.address,
                    problems.join(", and ")
                ),
            )
            .missing(missing.join("; ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::pinned;

    #[test]
    fn subjects_pin_per_provider() {
        let gh = "token.actions.githubusercontent.com";
        assert!(pinned(gh, "repo:acme/deploy:ref:refs/heads/main"));
        assert!(pinned(gh, "repo:acme/deploy:*"));
        assert!(!pinned(gh, "repo:acme/*"));
        assert!(!pinned(gh, "repo:*"));
        assert!(!pinned(gh, "*"));
        assert!(pinned(
            "gitlab.example.com",
            "project_path:group/app:ref_type:branch:ref:main"
        ));
        assert!(!pinned(
            "gitlab.com",
            "project_path:group/*:ref_type:branch:ref:main"
        ));
        assert!(pinned(
            "app.terraform.io",
            "organization:acme:project:infra:workspace:*:run_phase:*"
        ));
        assert!(!pinned("app.terraform.io", "organization:acme:*"));
        assert!(pinned(
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "system:serviceaccount:payments:api"
        ));
        assert!(!pinned(
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "system:serviceaccount:payments:*"
        ));
    }
}
