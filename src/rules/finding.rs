//! The one diagnostic model every report renders.

use crate::model::location::Location;
use crate::model::severity::{Confidence, Severity};

use super::registry::Rule;

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    /// The role or document the finding is about.
    pub address: String,
    /// The statement (or attribute) that produced it.
    pub location: Location,
    pub message: String,
    /// The trust policy statement, pretty-printed, for the reviewer.
    pub snippet: Option<String>,
    /// What a narrowing would need and does not have.
    pub missing: Option<String>,
    pub fix: Option<String>,
    /// The grant the finding is about, where there is one.
    pub grant: Option<String>,
    /// Other places that matter, each with a short note.
    pub related: Vec<(Location, String)>,
    /// How the grant drifted against the before, when there is one.
    pub drift: Option<crate::analyze::drift::DriftClass>,
}

impl Finding {
    pub fn new(
        rule: &Rule,
        address: &str,
        location: &Location,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.code,
            name: rule.name,
            severity: rule.severity,
            confidence: Confidence::High,
            address: address.to_string(),
            location: location.clone(),
            message: message.into(),
            snippet: None,
            missing: None,
            fix: Some(rule.fix.to_string()),
            grant: None,
            related: Vec::new(),
            drift: None,
        }
    }

    pub fn confidence(mut self, c: Confidence) -> Self {
        self.confidence = c;
        self
    }

    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    pub fn snippet(mut self, s: Option<String>) -> Self {
        self.snippet = s;
        self
    }

    pub fn missing(mut self, m: impl Into<String>) -> Self {
        self.missing = Some(m.into());
        self
    }

    pub fn fix(mut self, f: impl Into<String>) -> Self {
        self.fix = Some(f.into());
        self
    }

    pub fn grant(mut self, key: &str) -> Self {
        self.grant = Some(key.to_string());
        self
    }

    /// Sort order of reports: by place, then rule, then subject.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.location.file,
            self.location.line,
            self.location.column,
            self.rule,
            &self.address,
            &self.grant,
            &self.message,
        )
    }
}
