//! # TD003 account-root-trust
//!
//! ## What it checks
//! An Allow trust statement that names a whole account of your own
//! organisation (`arn:aws:iam::ID:root` or the bare account id) instead of the
//! roles that should get in, without an `aws:PrincipalArn` condition that
//! names them. Third-party accounts are TD002's concern: a vendor's root with
//! the condition its `account` block requires is the documented pattern.
//! What counts is who the statement admits once IAM evaluates it: an
//! `aws:PrincipalArn` condition (or a Deny carve-out such as `ArnNotLike
//! aws:PrincipalArn`) that leaves only named roles is enough; a pattern that
//! matches every role of the account (`arn:aws:iam::ID:*`) is not.
//!
//! ## Why it matters
//! `:root` does not mean the root user: it delegates to the whole account, so
//! every role and user there whose own permissions allow `sts:AssumeRole` on
//! `*` gets in. The trust boundary is then whatever the broadest identity
//! policy in that account says, which nobody reviews with this role in mind.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}
//! ```
//!
//! ## Fix
//! Name the roles: `"Principal": {"AWS": "arn:aws:iam::111111111111:role/deploy"}`,
//! or keep `:root` and add `"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/deploy-*"}}`.

use super::{Finding, Rule, RuleContext, path_finding};
use crate::model::principal::{PrincipalClass, account_label};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD003",
    name: "account-root-trust",
    severity: Severity::Medium,
    summary: "a whole account of the organisation (`:root` or bare id) trusted instead of named roles, without `aws:PrincipalArn` narrowing",
    fix: "name the roles that may assume it, or add ArnLike aws:PrincipalArn naming them",
    source: include_str!("td003_account_root_trust.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx.paths.iter() {
        let PrincipalClass::Account { account } = &p.class else {
            continue;
        };
        if p.cross_account != Some(false) || ctx.policy.accounts.contains_key(account) {
            continue;
        }
        // Every role and user of the account gets in: no identity is named.
        let whole = p
            .aws_callers()
            .any(|a| !a.admitted.narrows_identities() && !a.undecided());
        if !whole {
            continue;
        }
        out.push(
            path_finding(
                rule,
                p,
                format!(
                    "{} trusts all of {}: any role or user there allowed sts:AssumeRole gets in",
                    p.role.address,
                    account_label(account)
                ),
            )
            .missing("named role principals, or a condition on aws:PrincipalArn"),
        );
    }
}
