//! What each resource type means to trustdrift, in one table: whether its
//! instances reach the model at all, which of its attributes hold policy
//! documents, whether its plan shows `tags_all`, and what it becomes in the
//! model. Ingesters, the evaluator and extraction all ask here.

use super::Mode;
use crate::model::inventory::IdentityKind;

/// What instances of a resource type become in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Becomes {
    /// An IAM identity (`aws_iam_role`, `aws_iam_user`, `aws_iam_group`):
    /// a role carries its trust policy in the type's `trust_attr`.
    Identity(IdentityKind),
    /// A customer managed policy (`aws_iam_policy`).
    ManagedPolicy,
    /// An inline policy of one identity, named by the attribute given.
    InlinePolicy(IdentityKind, &'static str),
    /// Attaches the managed policy in `policy_arn` to one identity, named by
    /// the attribute given.
    Attachment(IdentityKind, &'static str),
    /// `aws_iam_policy_attachment`: one managed policy to lists of roles,
    /// users and groups.
    SharedAttachment,
    /// Puts users in groups (`aws_iam_group_membership`,
    /// `aws_iam_user_group_membership`): a user holds its groups' policies.
    Membership,
    /// `data "aws_iam_policy_document"`: a document, judged as trust when it
    /// names principals and allows assuming a role.
    PolicyDocument,
    /// `data "aws_caller_identity"`: the account the code is applied in.
    CallerIdentity,
    /// A Bedrock resource; the attribute given (if any) names the service
    /// role it runs as.
    Bedrock(Option<&'static str>),
    /// Read for what it tells about others (an OIDC provider's ARN, an
    /// organisation policy) but nothing of its own in the model.
    Context,
}

/// One resource type trustdrift reads.
#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    pub mode: Mode,
    /// Its plan shows `tags_all` (provider `default_tags` merged in).
    pub taggable: bool,
    /// Attributes holding a policy document (JSON text).
    pub policy_attrs: &'static [&'static str],
    /// The attribute holding a role's trust policy.
    pub trust_attr: Option<&'static str>,
    pub becomes: Becomes,
}

const fn managed(
    name: &'static str,
    taggable: bool,
    policy_attrs: &'static [&'static str],
    becomes: Becomes,
) -> ResourceType {
    ResourceType {
        name,
        mode: Mode::Managed,
        taggable,
        policy_attrs,
        trust_attr: None,
        becomes,
    }
}

const fn data(
    name: &'static str,
    policy_attrs: &'static [&'static str],
    becomes: Becomes,
) -> ResourceType {
    ResourceType {
        name,
        mode: Mode::Data,
        taggable: false,
        policy_attrs,
        trust_attr: None,
        becomes,
    }
}

/// Every resource type whose instances reach the model.
pub static TYPES: &[ResourceType] = &[
    ResourceType {
        trust_attr: Some("assume_role_policy"),
        ..managed(
            "aws_iam_role",
            true,
            &["assume_role_policy"],
            Becomes::Identity(IdentityKind::Role),
        )
    },
    ResourceType {
        trust_attr: Some("assume_role_policy_document"),
        ..managed(
            "awscc_iam_role",
            false,
            &["assume_role_policy_document"],
            Becomes::Identity(IdentityKind::Role),
        )
    },
    managed(
        "aws_iam_user",
        true,
        &[],
        Becomes::Identity(IdentityKind::User),
    ),
    managed(
        "aws_iam_group",
        false,
        &[],
        Becomes::Identity(IdentityKind::Group),
    ),
    managed(
        "awscc_iam_role_policy",
        false,
        &["policy_document"],
        Becomes::InlinePolicy(IdentityKind::Role, "role_name"),
    ),
    managed(
        "aws_iam_user_policy_attachment",
        false,
        &[],
        Becomes::Attachment(IdentityKind::User, "user"),
    ),
    managed(
        "aws_iam_group_policy_attachment",
        false,
        &[],
        Becomes::Attachment(IdentityKind::Group, "group"),
    ),
    managed("aws_iam_group_membership", false, &[], Becomes::Membership),
    managed(
        "aws_iam_user_group_membership",
        false,
        &[],
        Becomes::Membership,
    ),
    managed(
        "aws_iam_role_policy",
        false,
        &["policy"],
        Becomes::InlinePolicy(IdentityKind::Role, "role"),
    ),
    managed("aws_iam_policy", true, &["policy"], Becomes::ManagedPolicy),
    managed(
        "aws_iam_role_policy_attachment",
        false,
        &[],
        Becomes::Attachment(IdentityKind::Role, "role"),
    ),
    managed(
        "aws_iam_policy_attachment",
        false,
        &[],
        Becomes::SharedAttachment,
    ),
    managed(
        "aws_iam_user_policy",
        false,
        &["policy"],
        Becomes::InlinePolicy(IdentityKind::User, "user"),
    ),
    managed(
        "aws_iam_group_policy",
        false,
        &["policy"],
        Becomes::InlinePolicy(IdentityKind::Group, "group"),
    ),
    managed(
        "aws_iam_openid_connect_provider",
        true,
        &[],
        Becomes::Context,
    ),
    managed(
        "aws_organizations_policy",
        true,
        &["content"],
        Becomes::Context,
    ),
    data(
        "aws_iam_policy_document",
        &["json"],
        Becomes::PolicyDocument,
    ),
    data("aws_caller_identity", &[], Becomes::CallerIdentity),
    managed(
        "aws_bedrockagent_agent",
        true,
        &[],
        Becomes::Bedrock(Some("agent_resource_role_arn")),
    ),
    managed(
        "aws_bedrockagent_knowledge_base",
        true,
        &[],
        Becomes::Bedrock(Some("role_arn")),
    ),
    managed(
        "aws_bedrock_custom_model",
        true,
        &[],
        Becomes::Bedrock(Some("role_arn")),
    ),
    managed(
        "awscc_bedrock_agent",
        false,
        &[],
        Becomes::Bedrock(Some("agent_resource_role_arn")),
    ),
    managed(
        "awscc_bedrock_knowledge_base",
        false,
        &[],
        Becomes::Bedrock(Some("role_arn")),
    ),
    managed(
        "aws_bedrock_model_invocation_job",
        false,
        &[],
        Becomes::Bedrock(Some("role_arn")),
    ),
    managed(
        "aws_bedrock_evaluation_job",
        false,
        &[],
        Becomes::Bedrock(Some("role_arn")),
    ),
    managed(
        "aws_bedrock_inference_profile",
        true,
        &[],
        Becomes::Bedrock(None),
    ),
];

/// The entry for `name` read as `mode` (a resource or a data source).
pub fn lookup(mode: Mode, name: &str) -> Option<&'static ResourceType> {
    TYPES.iter().find(|t| t.mode == mode && t.name == name)
}

/// Whether instances of type `name` reach the model in either mode.
pub fn is_relevant(name: &str) -> bool {
    TYPES.iter().any(|t| t.name == name)
}

/// The attributes of type `name` that hold policy documents.
pub fn policy_attrs(name: &str) -> &'static [&'static str] {
    TYPES
        .iter()
        .find(|t| t.name == name)
        .map_or(&[], |t| t.policy_attrs)
}

/// Whether a managed resource of type `name` shows `tags_all` in a plan.
pub fn is_taggable(name: &str) -> bool {
    lookup(Mode::Managed, name).is_some_and(|t| t.taggable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_is_listed_once_per_mode() {
        for (i, t) in TYPES.iter().enumerate() {
            assert!(
                !TYPES[..i]
                    .iter()
                    .any(|o| o.name == t.name && o.mode == t.mode),
                "{} twice",
                t.name
            );
        }
    }

    #[test]
    fn a_role_carries_trust_and_a_policy_document_its_json() {
        let role = lookup(Mode::Managed, "aws_iam_role").map(|t| t.trust_attr);
        assert_eq!(role, Some(Some("assume_role_policy")));
        assert_eq!(policy_attrs("aws_iam_policy_document"), &["json"]);
        assert!(lookup(Mode::Managed, "aws_iam_policy_document").is_none());
        assert!(is_taggable("aws_iam_policy"));
        assert!(!is_taggable("aws_iam_role_policy"));
        assert!(!is_relevant("aws_instance"));
    }
}
