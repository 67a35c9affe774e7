//! Bedrock resource ARNs as a policy's `Resource` names them:
//! `arn:PARTITION:bedrock:REGION:ACCOUNT:TYPE/ID` (DOMAIN §3.2), with IAM
//! wildcards in any part and Terraform values not known before apply.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::policy::wildcard_match;
use crate::model::value::unknown_refs;

/// One colon-separated part of an ARN pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "part", content = "value", rename_all = "snake_case")]
pub enum Part {
    /// Written empty: a foundation model's account, the global model's Region.
    Empty,
    Literal(String),
    /// Holds `*` or `?` (or an IAM policy variable, which stands for the
    /// caller's own value).
    Pattern(String),
    /// Holds a Terraform value not known statically: the references.
    Unknown(BTreeSet<String>),
}

impl Part {
    fn read(text: &str) -> Part {
        let refs = unknown_refs(text);
        if !refs.is_empty() {
            Part::Unknown(refs.into_iter().map(str::to_string).collect())
        } else if text.is_empty() {
            Part::Empty
        } else if text.contains(['*', '?']) || text.contains("${") {
            Part::Pattern(policy_variables_as_stars(text))
        } else {
            Part::Literal(text.to_string())
        }
    }

    /// Matches every value (`*`).
    pub fn is_any(&self) -> bool {
        matches!(self, Part::Pattern(p) if p.chars().all(|c| c == '*'))
    }

    /// Could this part be `value`?
    pub fn admits(&self, value: &str) -> bool {
        match self {
            Part::Empty => value.is_empty(),
            Part::Literal(l) => l == value,
            Part::Pattern(p) => wildcard_match(p, value, false),
            Part::Unknown(_) => true,
        }
    }

    /// The text as written back (patterns with policy variables as `*`).
    pub fn text(&self) -> String {
        match self {
            Part::Empty => String::new(),
            Part::Literal(s) | Part::Pattern(s) => s.clone(),
            Part::Unknown(refs) => refs
                .iter()
                .map(|r| format!("${{{r}}}"))
                .collect::<Vec<_>>()
                .join(""),
        }
    }
}

/// An IAM policy variable (`${aws:PrincipalAccount}`) matches as `*`.
fn policy_variables_as_stars(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                match &after[..end] {
                    "*" => out.push('*'),
                    "?" => out.push('?'),
                    "$" => out.push('$'),
                    _ => out.push('*'),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The resource types of Bedrock that inference touches, by ARN type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceType {
    FoundationModel,
    InferenceProfile,
    ApplicationInferenceProfile,
    ProvisionedModel,
    CustomModel,
    CustomModelDeployment,
    ImportedModel,
    PromptRouter,
    DefaultPromptRouter,
    AsyncInvoke,
    Agent,
    AgentAlias,
    Flow,
    FlowAlias,
    KnowledgeBase,
    Prompt,
    ModelInvocationJob,
    Guardrail,
    SystemTool,
    Marketplace,
    /// Another type Bedrock has (jobs, sessions, …), as written.
    Other(String),
    /// The type part is itself a wildcard (`*`, `*-model/*`).
    Wildcard(String),
    /// The type part is not known statically.
    Unknown,
}

impl ResourceType {
    fn read(kind: &str, rest: &str) -> ResourceType {
        if !unknown_refs(kind).is_empty() {
            return ResourceType::Unknown;
        }
        if kind.contains(['*', '?']) {
            return ResourceType::Wildcard(kind.to_string());
        }
        match kind {
            "foundation-model" => ResourceType::FoundationModel,
            "inference-profile" => ResourceType::InferenceProfile,
            "application-inference-profile" => ResourceType::ApplicationInferenceProfile,
            "provisioned-model" => ResourceType::ProvisionedModel,
            "custom-model" => ResourceType::CustomModel,
            "custom-model-deployment" => ResourceType::CustomModelDeployment,
            "imported-model" => ResourceType::ImportedModel,
            "prompt-router" => ResourceType::PromptRouter,
            "default-prompt-router" => ResourceType::DefaultPromptRouter,
            "async-invoke" => ResourceType::AsyncInvoke,
            "agent" => ResourceType::Agent,
            "agent-alias" => ResourceType::AgentAlias,
            "flow" if rest.contains("/alias/") => ResourceType::FlowAlias,
            "flow" => ResourceType::Flow,
            "knowledge-base" => ResourceType::KnowledgeBase,
            "prompt" => ResourceType::Prompt,
            "model-invocation-job" => ResourceType::ModelInvocationJob,
            "guardrail" => ResourceType::Guardrail,
            "system-tool" => ResourceType::SystemTool,
            "marketplace" => ResourceType::Marketplace,
            other => ResourceType::Other(other.to_string()),
        }
    }

    /// The ARN type as written (`foundation-model`).
    pub fn name(&self) -> String {
        match self {
            ResourceType::FoundationModel => "foundation-model".into(),
            ResourceType::InferenceProfile => "inference-profile".into(),
            ResourceType::ApplicationInferenceProfile => "application-inference-profile".into(),
            ResourceType::ProvisionedModel => "provisioned-model".into(),
            ResourceType::CustomModel => "custom-model".into(),
            ResourceType::CustomModelDeployment => "custom-model-deployment".into(),
            ResourceType::ImportedModel => "imported-model".into(),
            ResourceType::PromptRouter => "prompt-router".into(),
            ResourceType::DefaultPromptRouter => "default-prompt-router".into(),
            ResourceType::AsyncInvoke => "async-invoke".into(),
            ResourceType::Agent => "agent".into(),
            ResourceType::AgentAlias => "agent-alias".into(),
            ResourceType::Flow | ResourceType::FlowAlias => "flow".into(),
            ResourceType::KnowledgeBase => "knowledge-base".into(),
            ResourceType::Prompt => "prompt".into(),
            ResourceType::ModelInvocationJob => "model-invocation-job".into(),
            ResourceType::Guardrail => "guardrail".into(),
            ResourceType::SystemTool => "system-tool".into(),
            ResourceType::Marketplace => "marketplace".into(),
            ResourceType::Other(s) | ResourceType::Wildcard(s) => s.clone(),
            ResourceType::Unknown => "(unknown)".into(),
        }
    }
}

/// A Bedrock ARN (or ARN pattern) split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BedrockArn {
    pub partition: Part,
    pub region: Part,
    pub account: Part,
    pub kind: ResourceType,
    /// Everything after `TYPE/` (`us.anthropic.claude-…`, `AGENT/ALIAS`,
    /// `FLOW/alias/ALIAS`); the whole resource part for a wildcard type.
    pub id: Part,
}

/// What one `Resource` entry names, for Bedrock.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourcePattern {
    /// `*`: every resource.
    Everything,
    Bedrock(BedrockArn),
    /// A resource of another service: grants no Bedrock invocation.
    OtherService(String),
    /// The entry (or its service) is not known statically.
    Unknown(BTreeSet<String>),
    /// Not an ARN: IAM matches nothing with it.
    Malformed(String),
}

impl ResourcePattern {
    pub fn parse(text: &str) -> ResourcePattern {
        if text.chars().all(|c| c == '*') && !text.is_empty() {
            return ResourcePattern::Everything;
        }
        let Some(rest) = text.strip_prefix("arn:") else {
            let refs = unknown_refs(text);
            return if refs.is_empty() {
                ResourcePattern::Malformed(text.to_string())
            } else {
                ResourcePattern::Unknown(refs.into_iter().map(str::to_string).collect())
            };
        };
        let parts = split_arn(rest);
        let [partition, service, region, account, resource] = parts.as_slice() else {
            // `arn:aws:bedrock:*` and the like: a wildcard may stand for the
            // missing parts.
            if text.ends_with('*') && wildcard_match(text, "arn:aws:bedrock:r:a:t/i", false) {
                return ResourcePattern::Bedrock(BedrockArn {
                    partition: Part::Pattern("*".into()),
                    region: Part::Pattern("*".into()),
                    account: Part::Pattern("*".into()),
                    kind: ResourceType::Wildcard("*".into()),
                    id: Part::Pattern("*".into()),
                });
            }
            return ResourcePattern::Malformed(text.to_string());
        };
        let service_refs = unknown_refs(service);
        if !service_refs.is_empty() {
            return ResourcePattern::Unknown(
                service_refs.into_iter().map(str::to_string).collect(),
            );
        }
        if !wildcard_match(service, "bedrock", false) {
            return ResourcePattern::OtherService(text.to_string());
        }
        let (kind, id) = match resource.split_once('/') {
            Some((k, id)) if !k.contains('*') => (ResourceType::read(k, id), Part::read(id)),
            _ => (ResourceType::read(resource, ""), Part::read(resource)),
        };
        let kind = match (&kind, resource.contains('/')) {
            (ResourceType::Other(_), false) if resource.contains('*') => {
                ResourceType::Wildcard(resource.to_string())
            }
            _ => kind,
        };
        ResourcePattern::Bedrock(BedrockArn {
            partition: Part::read(partition),
            region: Part::read(region),
            account: Part::read(account),
            kind,
            id,
        })
    }
}

/// The five parts after `arn:`; a Terraform `${…}` holding colons stays whole.
fn split_arn(rest: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let bytes = rest.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && out.len() < 4 => {
                out.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&rest[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(text: &str) -> BedrockArn {
        match ResourcePattern::parse(text) {
            ResourcePattern::Bedrock(a) => a,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn foundation_models_have_no_account_and_the_global_one_no_region() {
        let a = arn(
            "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        );
        assert_eq!(a.kind, ResourceType::FoundationModel);
        assert_eq!(a.region, Part::Literal("eu-west-1".into()));
        assert_eq!(a.account, Part::Empty);
        assert_eq!(
            a.id,
            Part::Literal("anthropic.claude-3-haiku-20240307-v1:0".into())
        );
        let g = arn("arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert_eq!(g.region, Part::Empty);
        let w = arn("arn:aws:bedrock:*::foundation-model/*");
        assert!(w.region.is_any() && w.id.is_any());
        assert!(w.region.admits("") && w.region.admits("us-east-1"));
    }

    #[test]
    fn each_type_is_told_apart() {
        let kinds = [
            (
                "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.x",
                ResourceType::InferenceProfile,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc",
                ResourceType::ApplicationInferenceProfile,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc",
                ResourceType::ProvisionedModel,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:custom-model/abc",
                ResourceType::CustomModel,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:custom-model-deployment/abc",
                ResourceType::CustomModelDeployment,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:imported-model/abc",
                ResourceType::ImportedModel,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:agent/A1",
                ResourceType::Agent,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:agent-alias/A1/B2",
                ResourceType::AgentAlias,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:flow/F1",
                ResourceType::Flow,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:flow/F1/alias/L1",
                ResourceType::FlowAlias,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:knowledge-base/K1",
                ResourceType::KnowledgeBase,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:prompt/P1:2",
                ResourceType::Prompt,
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:model-copy-job/x",
                ResourceType::Other("model-copy-job".into()),
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:*",
                ResourceType::Wildcard("*".into()),
            ),
        ];
        for (text, kind) in kinds {
            assert_eq!(arn(text).kind, kind, "{text}");
        }
        assert_eq!(
            arn("arn:aws:bedrock:us-east-1:111122223333:prompt/P1:2").id,
            Part::Literal("P1:2".into())
        );
    }

    #[test]
    fn everything_other_services_and_garbage() {
        assert_eq!(ResourcePattern::parse("*"), ResourcePattern::Everything);
        assert!(matches!(
            ResourcePattern::parse("arn:aws:s3:::bucket/*"),
            ResourcePattern::OtherService(_)
        ));
        assert!(matches!(
            ResourcePattern::parse("bedrock-everything"),
            ResourcePattern::Malformed(_)
        ));
        assert!(matches!(
            ResourcePattern::parse("arn:aws:bedrock:*"),
            ResourcePattern::Bedrock(BedrockArn {
                kind: ResourceType::Wildcard(_),
                ..
            })
        ));
        assert!(matches!(
            ResourcePattern::parse("arn:aws:*:*:*:*"),
            ResourcePattern::Bedrock(_)
        ));
    }

    #[test]
    fn terraform_unknowns_are_unknown_and_policy_variables_are_wildcards() {
        let a = arn(
            "arn:aws:bedrock:${var.region}:${data.aws_caller_identity.me.account_id}:inference-profile/eu.x",
        );
        assert_eq!(a.region, Part::Unknown(["var.region".to_string()].into()));
        assert!(matches!(a.account, Part::Unknown(_)));
        assert_eq!(a.kind, ResourceType::InferenceProfile);
        let v = arn("arn:aws:bedrock:eu-west-1:${aws:PrincipalAccount}:inference-profile/eu.x");
        assert_eq!(v.account, Part::Pattern("*".into()));
        assert!(matches!(
            ResourcePattern::parse("${aws_bedrock_inference_profile.p.arn}"),
            ResourcePattern::Unknown(_)
        ));
    }
}
