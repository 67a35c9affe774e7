//! AWS managed policies that matter to trustdrift: those that grant Bedrock
//! invocation or let an identity rewrite trust. A dated table, kept in the
//! source tree; an attachment names one by ARN (`arn:aws:iam::aws:policy/NAME`).
//!
//! Each entry holds the statements of the policy that reach Bedrock or IAM
//! role writes, as AWS published them; statements about other services are
//! left out. AWS managed policies are scoped to the service their name
//! names, so one that is not in this table and does not name Bedrock is
//! taken to grant neither; one that names Bedrock and is not here cannot be
//! verified (see [`names_bedrock`]).

/// The date of the AWS managed policy versions this table was taken from.
pub const TABLE_DATE: &str = "2025-12-01";

/// (policy name, the policy's statements that matter here, as JSON).
const TABLE: &[(&str, &str)] = &[
    (
        "AdministratorAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "PowerUserAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonBedrockFullAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"BedrockAll","Effect":"Allow","Action":["bedrock:*"],"Resource":"*"},{"Sid":"PassRoleToBedrock","Effect":"Allow","Action":["iam:PassRole"],"Resource":"arn:aws:iam::*:role/*AmazonBedrock*","Condition":{"StringEquals":{"iam:PassedToService":["bedrock.amazonaws.com"]}}}]}"#,
    ),
    (
        "AmazonBedrockReadOnly",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"AmazonBedrockReadOnly","Effect":"Allow","Action":["bedrock:Get*","bedrock:List*"],"Resource":"*"}]}"#,
    ),
    (
        "IAMFullAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"#,
    ),
];

/// The name of the AWS managed policy `arn` names, when it names one.
pub fn name_of(arn: &str) -> Option<&str> {
    let parsed = super::arn::Arn::parse(arn)?;
    if parsed.service != "iam" || parsed.account != "aws" {
        return None;
    }
    let path = parsed.resource.strip_prefix("policy/")?;
    Some(path.rsplit('/').next().unwrap_or(path))
}

/// The statements of AWS managed policy `name` that matter here, as JSON,
/// when the table holds it.
pub fn document(name: &str) -> Option<&'static str> {
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

/// An AWS managed policy whose name says it concerns Bedrock: one the table
/// does not hold cannot be verified.
pub fn names_bedrock(name: &str) -> bool {
    name.to_ascii_lowercase().contains("bedrock")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::PolicyDocument;

    #[test]
    fn every_entry_is_a_policy_document() {
        for (name, doc) in TABLE {
            assert!(PolicyDocument::parse(doc).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_come_from_aws_managed_arns_only() {
        assert_eq!(
            name_of("arn:aws:iam::aws:policy/AmazonBedrockFullAccess"),
            Some("AmazonBedrockFullAccess")
        );
        assert_eq!(
            name_of("arn:aws:iam::aws:policy/service-role/AmazonBedrockAgentPolicy"),
            Some("AmazonBedrockAgentPolicy")
        );
        assert_eq!(
            name_of("arn:aws:iam::123456789012:policy/AdministratorAccess"),
            None
        );
        assert!(document("AdministratorAccess").is_some());
        assert!(document("AmazonS3ReadOnlyAccess").is_none());
        assert!(names_bedrock("AmazonBedrockLimitedAccess"));
        assert!(!names_bedrock("AmazonS3ReadOnlyAccess"));
    }
}
