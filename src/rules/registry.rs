//! The one table of rules: code ↔ name ↔ check. Codes are never reused.

use crate::model::severity::Severity;

use super::{Finding, RuleContext};

/// A rule: its stable code and name, default severity, and check. Its
/// documentation is the `//!` comment of its own source file.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what it fires on.
    pub summary: &'static str,
    /// The usual fix, shown under each finding.
    pub fix: &'static str,
    /// The rule's source file; its `//!` lines are its documentation.
    pub source: &'static str,
    pub check: fn(&RuleContext<'_>, &Rule, &mut Vec<Finding>),
}

impl Rule {
    /// The rule's documentation: *What it checks*, *Why it matters*,
    /// *Example*, *Fix*, as Markdown.
    pub fn doc(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                if out.is_empty() {
                    continue;
                }
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out
    }
}

use super::{
    td001_trust_any_principal, td002_cross_account_unscoped, td003_account_root_trust,
    td004_oidc_subject_unpinned, td005_saml_unscoped, td006_service_confused_deputy,
    td007_scope_defeated, td008_long_session, td009_shared_role, td010_trust_policy_writable,
    td011_not_principal_allow, td012_trust_unverifiable, td201_trust_added, td202_trust_widened,
    td203_copied_trust_unrevalidated, td204_owner_missing, td205_expiry_missing,
    td206_trust_expired, td207_bedrock_reach_widened, td208_baseline_stale,
    td901_policy_document_invalid, td902_suppression_invalid, td903_policy_weakened,
};

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &td001_trust_any_principal::RULE,
    &td002_cross_account_unscoped::RULE,
    &td003_account_root_trust::RULE,
    &td004_oidc_subject_unpinned::RULE,
    &td005_saml_unscoped::RULE,
    &td006_service_confused_deputy::RULE,
    &td007_scope_defeated::RULE,
    &td008_long_session::RULE,
    &td009_shared_role::RULE,
    &td010_trust_policy_writable::RULE,
    &td011_not_principal_allow::RULE,
    &td012_trust_unverifiable::RULE,
    &super::td101_bedrock_region_not_allowed::RULE,
    &super::td102_bedrock_any_region::RULE,
    &super::td103_bedrock_cross_region_profile::RULE,
    &super::td104_bedrock_cross_account::RULE,
    &super::td105_bedrock_wildcard_action::RULE,
    &super::td106_bedrock_unowned::RULE,
    &td201_trust_added::RULE,
    &td202_trust_widened::RULE,
    &td203_copied_trust_unrevalidated::RULE,
    &td204_owner_missing::RULE,
    &td205_expiry_missing::RULE,
    &td206_trust_expired::RULE,
    &td207_bedrock_reach_widened::RULE,
    &td208_baseline_stale::RULE,
    &td901_policy_document_invalid::RULE,
    &td902_suppression_invalid::RULE,
    &td903_policy_weakened::RULE,
];

pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

pub fn codes() -> Vec<&'static str> {
    RULES.iter().map(|r| r.code).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: BTreeSet<_> = RULES.iter().map(|r| r.code).collect();
        let names: BTreeSet<_> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(codes.len(), RULES.len());
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn codes_are_well_formed_and_in_order() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for r in RULES {
            assert!(
                r.code.len() == 5
                    && r.code.starts_with("TD")
                    && r.code[2..].bytes().all(|b| b.is_ascii_digit())
            );
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn every_rule_documents_itself() {
        for r in RULES {
            let doc = r.doc();
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(doc.contains(section), "{} lacks {section}", r.code);
            }
            assert!(
                doc.starts_with(&format!("# {} {}", r.code, r.name)),
                "{} doc title",
                r.code
            );
        }
    }

    #[test]
    fn the_list_of_rules_is_stable() {
        let listed: Vec<String> = RULES
            .iter()
            .map(|r| format!("{} {} {}", r.code, r.name, r.severity))
            .collect();
        assert_eq!(
            listed,
            [
                "TD001 trust-any-principal critical",
                "TD002 cross-account-unscoped high",
                "TD003 account-root-trust medium",
                "TD004 oidc-subject-unpinned high",
                "TD005 saml-unscoped medium",
                "TD006 service-confused-deputy medium",
                "TD007 scope-defeated high",
                "TD008 long-session low",
                "TD009 shared-role medium",
                "TD010 trust-policy-writable high",
                "TD011 not-principal-allow critical",
                "TD012 trust-unverifiable medium",
                "TD101 bedrock-region-not-allowed high",
                "TD102 bedrock-any-region high",
                "TD103 bedrock-cross-region-profile high",
                "TD104 bedrock-cross-account high",
                "TD105 bedrock-wildcard-action medium",
                "TD106 bedrock-unowned medium",
                "TD201 trust-added high",
                "TD202 trust-widened high",
                "TD203 copied-trust-unrevalidated high",
                "TD204 owner-missing medium",
                "TD205 expiry-missing medium",
                "TD206 trust-expired high",
                "TD207 bedrock-reach-widened high",
                "TD208 baseline-stale low",
                "TD901 policy-document-invalid high",
                "TD902 suppression-invalid low",
                "TD903 policy-weakened high",
            ]
        );
    }
}
