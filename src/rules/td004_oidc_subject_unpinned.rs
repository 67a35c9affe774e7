//! # TD004 oidc-subject-unpinned
//!
//! ## What it checks
//! A federated web-identity principal (an IAM OIDC provider such as GitHub
//! Actions, GitLab, HCP Terraform or an EKS cluster) trusted without both an
//! `HOST:aud` condition and an `HOST:sub` condition pinned to one repository,
//! project or service account. A `sub` pattern that spans an organisation
//! (`repo:my-org/*`, `project_path:group/*`, `organization:acme:*`,
//! `system:serviceaccount:*:*`) counts as unpinned. Built-in providers
//! (`cognito-identity.amazonaws.com`, `accounts.google.com`) need their `aud`
//! (a wildcard `aud` such as `eu-west-1:*` admits every identity pool).
//!
//! Severity follows what the subject spans: any subject of the issuer or a
//! whole organisation is high; every service account of one EKS namespace
//! (`system:serviceaccount:team-a:*`, one cluster) is medium; a pinned `sub`
//! without `aud` is low, because STS already checks `aud` against the IAM
//! provider's client ids. Conditions are evaluated as IAM does: `sub` and
//! `aud` are in every token of the issuer, so `…IfExists` and
//! `ForAllValues:` on them narrow like the plain operator; another issuer's
//! keys (`gitlab.com:sub` on GitHub) are never present, and a statement that
//! does not allow `sts:AssumeRoleWithWebIdentity` admits nobody.
//! GitHub claims that STS evaluates as keys (`…:repository`,
//! `…:repository_id`, `…:job_workflow_ref`) pin a repository as `sub` does.
//!
//! When the federated principal itself is not known before apply (a provider
//! ARN from another stack), the issuer its condition keys name
//! (`token.actions.githubusercontent.com:sub`) decides: AWS checks a
//! provider's claim keys only against that provider's tokens. Such a finding
//! says it reasoned from the keys and has low confidence.
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
use crate::analyze::admission::{self, Admission, Admitted, Request, Span, pattern_is_wild};
use crate::analyze::trust::{TrustPath, provider_host};
use crate::model::principal::{Principal, PrincipalClass, PrincipalType};
use crate::model::severity::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "TD004",
    name: "oidc-subject-unpinned",
    severity: Severity::High,
    summary: "a federated OIDC principal without an `aud` and a `sub` condition pinned to a repository, project or service account (high; medium for one EKS namespace; low for a pinned `sub` without `aud`)",
    fix: "add an HOST:aud condition and pin HOST:sub to one repository, project or service account",
    source: include_str!("td004_oidc_subject_unpinned.rs"),
    check,
};

/// GitHub token claims STS evaluates as keys that name one repository.
const GITHUB_REPOSITORY_CLAIMS: &[&str] = &["repository", "repository_id", "job_workflow_ref"];

/// How many callers one `sub` pattern admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SubjectSpan {
    /// One repository, project, workspace or service account.
    One,
    /// Every service account of one Kubernetes namespace in one cluster.
    Namespace,
    /// Every repository of an organisation (group, HCP Terraform organisation).
    Organization,
    /// Any subject the issuer signs for.
    Any,
}

fn wild(s: &str) -> bool {
    pattern_is_wild(s)
}

/// The span of one `sub` pattern, per issuer.
fn span_of(host: &str, value: &str) -> SubjectSpan {
    let host = host.to_ascii_lowercase();
    if !wild(value) {
        return SubjectSpan::One;
    }
    if host.starts_with("token.actions.githubusercontent.com") {
        if let Some(rest) = value.strip_prefix("repo:") {
            let repo = rest.split(':').next().unwrap_or("");
            return match repo.split_once('/') {
                Some((o, r)) if !o.is_empty() && !wild(o) => {
                    if !r.is_empty() && !wild(r) {
                        SubjectSpan::One
                    } else {
                        SubjectSpan::Organization
                    }
                }
                _ => SubjectSpan::Any,
            };
        }
    } else if host.contains("gitlab") {
        if let Some(rest) = value.strip_prefix("project_path:") {
            let path = rest.split(':').next().unwrap_or("");
            return match path.rsplit_once('/') {
                Some((group, project)) if !group.is_empty() && !wild(group) => {
                    if !project.is_empty() && !wild(project) {
                        SubjectSpan::One
                    } else {
                        SubjectSpan::Organization
                    }
                }
                _ => SubjectSpan::Any,
            };
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
        let org_ok = field("organization").is_some_and(|o| !o.is_empty() && !wild(o));
        if !org_ok {
            return SubjectSpan::Any;
        }
        let narrower = field("project")
            .or(field("workspace"))
            .is_some_and(|p| !p.is_empty() && !wild(p));
        return if narrower {
            SubjectSpan::One
        } else {
            SubjectSpan::Organization
        };
    } else if host.starts_with("oidc.eks.") {
        if let Some(rest) = value.strip_prefix("system:serviceaccount:") {
            return match rest.split_once(':') {
                Some((ns, sa)) if !ns.is_empty() && !wild(ns) => {
                    if !sa.is_empty() && !wild(sa) {
                        SubjectSpan::One
                    } else {
                        SubjectSpan::Namespace
                    }
                }
                _ => SubjectSpan::Any,
            };
        }
    }
    SubjectSpan::Any
}

/// A federated principal not known before apply, judged as the one issuer
/// its statement's condition keys name (`token.actions.githubusercontent.com:sub`):
/// STS evaluates a provider's claim keys only against that provider's
/// tokens. The admission that issuer's tokens get, and whether it is an
/// IAM OIDC provider (rather than a built-in one).
fn issuer_named_by_keys(p: &TrustPath<'_>) -> Option<(Admission, bool)> {
    if p.principal.kind != PrincipalType::Federated
        || !matches!(p.class, PrincipalClass::Unknown { .. })
    {
        return None;
    }
    let issuer = p.statement.issuer_named_by_keys()?;
    // AWS's built-in web identity providers are named bare; any other
    // issuer is an IAM OIDC provider.
    let built_in = matches!(
        issuer.as_str(),
        "cognito-identity.amazonaws.com"
            | "accounts.google.com"
            | "graph.facebook.com"
            | "www.amazon.com"
    );
    let principal = if built_in {
        Principal::new(PrincipalType::Federated, issuer.clone())
    } else {
        Principal::new(
            PrincipalType::Federated,
            format!("arn:aws:iam::000000000000:oidc-provider/{issuer}"),
        )
    };
    let class = principal.classify();
    let oidc = matches!(class, PrincipalClass::OidcProvider { .. });
    let request = Request::WebIdentity { issuer };
    Some((
        admission::admit(p.statement, &principal, &class, &request, &[]),
        oidc,
    ))
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx.paths.iter() {
        let keyed = issuer_named_by_keys(p);
        let from_keys = keyed.is_some();
        let oidc = keyed.as_ref().map_or(
            matches!(p.class, PrincipalClass::OidcProvider { .. }),
            |(_, oidc)| *oidc,
        );
        for a in p.admissions.iter().chain(keyed.iter().map(|(a, _)| a)) {
            let Admitted::WebIdentity {
                issuer,
                subjects,
                audiences,
                ..
            } = &a.admitted
            else {
                continue;
            };
            // A claim that rests on an unknown value: TD012's concern.
            if a.undecided() {
                continue;
            }
            // As written in the principal (the issuer is compared in lower case).
            let host = provider_host(&p.class).unwrap_or(issuer.as_str());
            let mut problems = Vec::new();
            let mut missing = Vec::new();
            let mut severity = None;
            let aud_pinned = audiences
                .only()
                .is_some_and(|v| !v.is_empty() && !v.iter().any(|x| wild(x)));
            if oidc {
                let span = match subjects {
                    Span::Only(v) => v
                        .iter()
                        .map(|x| span_of(host, x))
                        .max()
                        .unwrap_or(SubjectSpan::One),
                    _ => SubjectSpan::Any,
                };
                // GitHub's own claims, which STS also evaluates, pin a repository too.
                let claim_pinned = GITHUB_REPOSITORY_CLAIMS.iter().any(|claim| {
                    a.admitted
                        .key_span(&format!("{issuer}:{claim}"))
                        .only()
                        .is_some_and(|v| !v.is_empty() && !v.iter().any(|x| wild(x)))
                });
                let span = if claim_pinned {
                    span.min(SubjectSpan::One)
                } else {
                    span
                };
                let loose: Vec<String> = subjects
                    .only()
                    .into_iter()
                    .flatten()
                    .filter(|x| span_of(host, x) != SubjectSpan::One)
                    .map(|x| format!("\"{x}\""))
                    .collect();
                match span {
                    SubjectSpan::One => {}
                    _ if subjects.only().is_none() => {
                        problems.push(format!("there is no {host}:sub condition, so any subject the provider signs for gets in"));
                    }
                    SubjectSpan::Namespace => problems.push(format!(
                        "{host}:sub {} admits every service account of a namespace",
                        loose.join(", ")
                    )),
                    _ => problems.push(format!(
                        "{host}:sub {} admits more than one repository, project or service account",
                        loose.join(", ")
                    )),
                }
                if span != SubjectSpan::One {
                    missing.push(format!(
                        "{host}:sub pinned to one repository, project or service account"
                    ));
                }
                severity = match span {
                    SubjectSpan::One => None,
                    SubjectSpan::Namespace => Some(Severity::Medium),
                    SubjectSpan::Organization | SubjectSpan::Any => Some(rule.severity),
                };
                if !aud_pinned {
                    problems.push(format!("there is no {host}:aud condition"));
                    missing.push(format!("{host}:aud"));
                    // STS already checks aud against the provider's client ids.
                    severity = severity.or(Some(Severity::Low));
                }
            } else if !aud_pinned {
                // A built-in provider's aud is the application or identity pool:
                // without it, any app's users get in.
                problems.push(format!("there is no {host}:aud condition"));
                missing.push(format!("{host}:aud"));
                severity = Some(rule.severity);
            }
            let Some(severity) = severity else {
                continue;
            };
            let finding = if from_keys {
                let refs = match &p.class {
                    PrincipalClass::Unknown { refs } => refs.join(", "),
                    _ => p.principal.id.clone(),
                };
                path_finding(
                    rule,
                    p,
                    format!(
                        "{} trusts a federated principal that depends on {refs}, not known before apply; its condition keys name the issuer {host}, and judged as that provider, {}",
                        p.role.address,
                        problems.join(", and ")
                    ),
                )
                .confidence(Confidence::Low)
            } else {
                path_finding(
                    rule,
                    p,
                    format!(
                        "{} trusts the identity provider {host}, but {}",
                        p.role.address,
                        problems.join(", and ")
                    ),
                )
            };
            out.push(finding.severity(severity).missing(missing.join("; ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SubjectSpan, span_of};

    #[test]
    fn subjects_span_per_provider() {
        let gh = "token.actions.githubusercontent.com";
        assert_eq!(
            span_of(gh, "repo:acme/deploy:ref:refs/heads/main"),
            SubjectSpan::One
        );
        assert_eq!(span_of(gh, "repo:acme/deploy:*"), SubjectSpan::One);
        assert_eq!(span_of(gh, "repo:acme/*"), SubjectSpan::Organization);
        assert_eq!(span_of(gh, "repo:*"), SubjectSpan::Any);
        assert_eq!(span_of(gh, "*"), SubjectSpan::Any);
        assert_eq!(
            span_of(
                "gitlab.example.com",
                "project_path:group/app:ref_type:branch:ref:main"
            ),
            SubjectSpan::One
        );
        assert_eq!(
            span_of(
                "gitlab.com",
                "project_path:group/*:ref_type:branch:ref:main"
            ),
            SubjectSpan::Organization
        );
        assert_eq!(
            span_of(
                "app.terraform.io",
                "organization:acme:project:infra:workspace:*:run_phase:*"
            ),
            SubjectSpan::One
        );
        assert_eq!(
            span_of("app.terraform.io", "organization:acme:*"),
            SubjectSpan::Organization
        );
        let eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        assert_eq!(
            span_of(eks, "system:serviceaccount:payments:api"),
            SubjectSpan::One
        );
        assert_eq!(
            span_of(eks, "system:serviceaccount:payments:*"),
            SubjectSpan::Namespace
        );
        assert_eq!(span_of(eks, "system:serviceaccount:*:*"), SubjectSpan::Any);
    }
}
