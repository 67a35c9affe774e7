//! Principals of a trust statement and what kind of identity each names.

use serde::Serialize;

use super::arn::{Arn, is_account_id};
use super::value::unknown_refs;

/// How the account is named when code writes it as
/// `${data.aws_caller_identity.NAME.account_id}`: the account the code runs
/// in, which is the account the role is created in.
pub const OWN_ACCOUNT: &str = "(own account)";

/// Stands in for [`OWN_ACCOUNT`] while an ARN is classified.
const OWN_ACCOUNT_DIGITS: &str = "000000000000";

/// `data.aws_caller_identity.current.account_id` (or `…current[0]…`).
pub fn is_caller_account_ref(r: &str) -> bool {
    r.starts_with("data.aws_caller_identity.") && r.ends_with(".account_id") && !r.contains(' ')
}

/// What an unknown reference stands for when it cannot change who is trusted:
/// the caller's account is the role's own, and the partition
/// (`data.aws_partition.current.partition` / `.dns_suffix`) only picks
/// between AWS's copies of the same names.
pub fn conventional_stand_in(r: &str) -> Option<&'static str> {
    if is_caller_account_ref(r) {
        Some(OWN_ACCOUNT_DIGITS)
    } else if r.starts_with("data.aws_partition.") && r.ends_with(".partition") {
        Some("aws")
    } else if r.starts_with("data.aws_partition.") && r.ends_with(".dns_suffix") {
        Some("amazonaws.com")
    } else {
        None
    }
}

/// `account 111111111111`, or `its own account`.
pub fn account_label(account: &str) -> String {
    if account == OWN_ACCOUNT {
        "its own account".to_string()
    } else {
        format!("account {account}")
    }
}

/// The key a principal is listed under (`"*"` for `Principal: "*"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PrincipalType {
    #[serde(rename = "*")]
    Star,
    #[serde(rename = "AWS")]
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub fn from_key(key: &str) -> Option<PrincipalType> {
        match key {
            "AWS" => Some(PrincipalType::Aws),
            "Service" => Some(PrincipalType::Service),
            "Federated" => Some(PrincipalType::Federated),
            "CanonicalUser" => Some(PrincipalType::CanonicalUser),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Star => "*",
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// One principal as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Principal {
    #[serde(rename = "type")]
    pub kind: PrincipalType,
    pub id: String,
}

/// What a principal names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalClass {
    /// `Principal: "*"` or `{"AWS": "*"}`: any principal in any account.
    Everyone,
    /// A whole account: a bare id or `arn:…:iam::ID:root`.
    Account {
        account: String,
    },
    Role {
        account: String,
        name: String,
    },
    AssumedRole {
        account: String,
        role: String,
    },
    User {
        account: String,
        name: String,
    },
    FederatedUser {
        account: String,
    },
    /// Another IAM or STS ARN in a known account.
    OtherIam {
        account: String,
    },
    /// `AROA…`/`AIDA…`: what IAM shows once the named principal was deleted.
    UniqueId,
    Service {
        name: String,
    },
    /// An IAM OIDC provider: `arn:…:oidc-provider/HOST[/PATH]`.
    OidcProvider {
        account: String,
        host: String,
    },
    /// A built-in web identity provider (`cognito-identity.amazonaws.com`, `accounts.google.com`).
    WebIdentity {
        host: String,
    },
    Saml {
        account: String,
        name: String,
    },
    CanonicalUser,
    /// Holds a Terraform expression that is not known statically.
    Unknown {
        refs: Vec<String>,
    },
    /// Well-formed JSON, but not a principal IAM recognises.
    Unrecognised,
}

impl Principal {
    pub fn new(kind: PrincipalType, id: impl Into<String>) -> Self {
        Principal {
            kind,
            id: id.into(),
        }
    }

    pub fn everyone() -> Self {
        Principal::new(PrincipalType::Star, "*")
    }

    pub fn classify(&self) -> PrincipalClass {
        let refs = unknown_refs(&self.id);
        if !refs.is_empty() && refs.iter().all(|r| conventional_stand_in(r).is_some()) {
            let mut id = self.id.clone();
            for r in &refs {
                if let Some(value) = conventional_stand_in(r) {
                    id = id.replace(&format!("${{{r}}}"), value);
                }
            }
            let class = Principal::new(self.kind, id).classify();
            return class.with_account_renamed(OWN_ACCOUNT_DIGITS, OWN_ACCOUNT);
        }
        if !refs.is_empty() {
            return PrincipalClass::Unknown {
                refs: refs.into_iter().map(str::to_string).collect(),
            };
        }
        let id = self.id.as_str();
        match self.kind {
            PrincipalType::Star => PrincipalClass::Everyone,
            PrincipalType::Aws => classify_aws(id),
            PrincipalType::Service => PrincipalClass::Service {
                name: id.to_string(),
            },
            PrincipalType::CanonicalUser => PrincipalClass::CanonicalUser,
            PrincipalType::Federated => classify_federated(id),
        }
    }

    /// The form used in grant keys: account ids become their `:root` ARN
    /// (IAM treats the two alike), everything else stays as written.
    pub fn normalized(&self) -> String {
        match (self.kind, self.classify()) {
            (PrincipalType::Aws, PrincipalClass::Account { account }) if account != OWN_ACCOUNT => {
                let partition = Arn::parse(&self.id).map(|a| a.partition).unwrap_or("aws");
                format!("AWS:arn:{partition}:iam::{account}:root")
            }
            _ => format!("{}:{}", self.kind.as_str(), self.id),
        }
    }

    /// How a reviewer reads it: `123456789012:root`, `role/deploy in 123456789012`.
    pub fn describe(&self) -> String {
        match self.classify() {
            PrincipalClass::Everyone if self.kind == PrincipalType::Star => {
                "every principal (\"*\")".to_string()
            }
            PrincipalClass::Everyone => "every AWS principal ({\"AWS\": \"*\"})".to_string(),
            PrincipalClass::Account { account } => {
                format!("account {account} (any role or user in it)")
            }
            PrincipalClass::Role { account, name } => format!("role {name} in account {account}"),
            _ => self.id.clone(),
        }
    }
}

impl PrincipalClass {
    /// The same class with account `from` named `to`.
    fn with_account_renamed(self, from: &str, to: &str) -> PrincipalClass {
        let rename = |a: String| if a == from { to.to_string() } else { a };
        match self {
            PrincipalClass::Account { account } => PrincipalClass::Account {
                account: rename(account),
            },
            PrincipalClass::Role { account, name } => PrincipalClass::Role {
                account: rename(account),
                name,
            },
            PrincipalClass::AssumedRole { account, role } => PrincipalClass::AssumedRole {
                account: rename(account),
                role,
            },
            PrincipalClass::User { account, name } => PrincipalClass::User {
                account: rename(account),
                name,
            },
            PrincipalClass::FederatedUser { account } => PrincipalClass::FederatedUser {
                account: rename(account),
            },
            PrincipalClass::OtherIam { account } => PrincipalClass::OtherIam {
                account: rename(account),
            },
            PrincipalClass::OidcProvider { account, host } => PrincipalClass::OidcProvider {
                account: rename(account),
                host,
            },
            PrincipalClass::Saml { account, name } => PrincipalClass::Saml {
                account: rename(account),
                name,
            },
            other => other,
        }
    }

    /// The account the principal belongs to, when the principal says.
    pub fn account(&self) -> Option<&str> {
        match self {
            PrincipalClass::Account { account }
            | PrincipalClass::Role { account, .. }
            | PrincipalClass::AssumedRole { account, .. }
            | PrincipalClass::User { account, .. }
            | PrincipalClass::FederatedUser { account }
            | PrincipalClass::OtherIam { account }
            | PrincipalClass::OidcProvider { account, .. }
            | PrincipalClass::Saml { account, .. } => Some(account),
            _ => None,
        }
    }
}

fn classify_aws(id: &str) -> PrincipalClass {
    if id == "*" {
        return PrincipalClass::Everyone;
    }
    if is_account_id(id) {
        return PrincipalClass::Account {
            account: id.to_string(),
        };
    }
    if id.len() >= 16
        && (id.starts_with("AROA") || id.starts_with("AIDA"))
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return PrincipalClass::UniqueId;
    }
    let Some(arn) = Arn::parse(id) else {
        return PrincipalClass::Unrecognised;
    };
    if !is_account_id(arn.account) {
        return PrincipalClass::Unrecognised;
    }
    let account = arn.account.to_string();
    match (arn.service, arn.resource.split_once('/')) {
        ("iam", _) if arn.resource == "root" => PrincipalClass::Account { account },
        ("iam", Some(("role", rest))) => PrincipalClass::Role {
            account,
            name: rest.rsplit('/').next().unwrap_or(rest).to_string(),
        },
        ("iam", Some(("user", rest))) => PrincipalClass::User {
            account,
            name: rest.rsplit('/').next().unwrap_or(rest).to_string(),
        },
        ("sts", Some(("assumed-role", rest))) => PrincipalClass::AssumedRole {
            account,
            role: rest.split('/').next().unwrap_or(rest).to_string(),
        },
        ("sts", Some(("federated-user", _))) => PrincipalClass::FederatedUser { account },
        ("iam" | "sts", _) => PrincipalClass::OtherIam { account },
        _ => PrincipalClass::Unrecognised,
    }
}

fn classify_federated(id: &str) -> PrincipalClass {
    if let Some(arn) = Arn::parse(id) {
        if arn.service == "iam" && is_account_id(arn.account) {
            if let Some(host) = arn.resource.strip_prefix("oidc-provider/") {
                return PrincipalClass::OidcProvider {
                    account: arn.account.to_string(),
                    host: host.to_string(),
                };
            }
            if let Some(name) = arn.resource.strip_prefix("saml-provider/") {
                return PrincipalClass::Saml {
                    account: arn.account.to_string(),
                    name: name.to_string(),
                };
            }
        }
        return PrincipalClass::Unrecognised;
    }
    if !id.is_empty() && !id.contains(char::is_whitespace) && id.contains('.') {
        return PrincipalClass::WebIdentity {
            host: id.to_string(),
        };
    }
    PrincipalClass::Unrecognised
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(id: &str) -> PrincipalClass {
        Principal::new(PrincipalType::Aws, id).classify()
    }

    #[test]
    fn aws_principals_are_classified() {
        assert_eq!(aws("*"), PrincipalClass::Everyone);
        assert_eq!(
            aws("123456789012"),
            PrincipalClass::Account {
                account: "123456789012".into()
            }
        );
        assert_eq!(
            aws("arn:aws:iam::123456789012:root"),
            PrincipalClass::Account {
                account: "123456789012".into()
            }
        );
        assert_eq!(
            aws("arn:aws:iam::123456789012:role/team/deploy"),
            PrincipalClass::Role {
                account: "123456789012".into(),
                name: "deploy".into()
            }
        );
        assert_eq!(
            aws("arn:aws:sts::123456789012:assumed-role/deploy/session"),
            PrincipalClass::AssumedRole {
                account: "123456789012".into(),
                role: "deploy".into()
            }
        );
        assert_eq!(aws("AROAEXAMPLEID12345678"), PrincipalClass::UniqueId);
        assert_eq!(
            aws("arn:aws:iam::${var.account}:root"),
            PrincipalClass::Unknown {
                refs: vec!["var.account".into()]
            }
        );
        assert_eq!(aws("arn:aws:iam::12345:root"), PrincipalClass::Unrecognised);
        assert_eq!(
            aws("arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"),
            PrincipalClass::Account {
                account: OWN_ACCOUNT.into()
            }
        );
        assert_eq!(
            aws("arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${var.name}"),
            PrincipalClass::Unknown {
                refs: vec![
                    "data.aws_caller_identity.current.account_id".into(),
                    "var.name".into()
                ]
            }
        );
        assert_eq!(
            aws("arn:${data.aws_partition.current.partition}:iam::123456789012:role/deploy"),
            PrincipalClass::Role {
                account: "123456789012".into(),
                name: "deploy".into()
            }
        );
        let svc = Principal::new(
            PrincipalType::Service,
            "scheduler.redshift.${data.aws_partition.current.dns_suffix}",
        );
        assert_eq!(
            svc.classify(),
            PrincipalClass::Service {
                name: "scheduler.redshift.amazonaws.com".into()
            }
        );
    }

    #[test]
    fn federated_principals_are_classified() {
        let p = Principal::new(
            PrincipalType::Federated,
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        );
        assert_eq!(
            p.classify(),
            PrincipalClass::OidcProvider {
                account: "123456789012".into(),
                host: "token.actions.githubusercontent.com".into()
            }
        );
        let p = Principal::new(
            PrincipalType::Federated,
            "arn:aws:iam::123456789012:saml-provider/okta",
        );
        assert!(matches!(p.classify(), PrincipalClass::Saml { .. }));
        let p = Principal::new(PrincipalType::Federated, "cognito-identity.amazonaws.com");
        assert!(matches!(p.classify(), PrincipalClass::WebIdentity { .. }));
    }

    #[test]
    fn account_ids_and_root_arns_share_a_key() {
        assert_eq!(
            Principal::new(PrincipalType::Aws, "123456789012").normalized(),
            Principal::new(PrincipalType::Aws, "arn:aws:iam::123456789012:root").normalized()
        );
        assert_ne!(
            Principal::everyone().normalized(),
            Principal::new(PrincipalType::Aws, "*").normalized()
        );
    }
}
