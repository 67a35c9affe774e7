//! Amazon Bedrock as IAM sees it: the Regions and the inference profiles'
//! routes (versioned data), the ARNs of its resources, and what a policy
//! file allows.

pub mod regions;
pub mod resource;

use std::collections::BTreeSet;

/// The policy file's `bedrock` block, validated. `None` in a field means
/// that axis is not restricted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BedrockRestrictions {
    /// Regions where invocation may happen (commercial or GovCloud names).
    pub allowed_regions: Option<BTreeSet<String>>,
    /// Profile prefixes without their dot (`eu`, `global`).
    pub allowed_profiles: Option<BTreeSet<String>>,
    /// Accounts whose models, profiles or agents may be invoked.
    pub allowed_accounts: Option<BTreeSet<String>>,
    /// Globs over model ids (`anthropic.claude-*`), profile prefix excluded.
    pub allowed_models: Option<Vec<String>>,
}

impl BedrockRestrictions {
    /// Is profile prefix `prefix` (no dot) allowed?
    pub fn profile_allowed(&self, prefix: &str) -> bool {
        match &self.allowed_profiles {
            Some(p) => p.contains(prefix),
            // Unlisted: every geographic profile; a global one only when
            // Regions are not restricted (DESIGN TD103).
            None => prefix != "global" || self.allowed_regions.is_none(),
        }
    }
}
