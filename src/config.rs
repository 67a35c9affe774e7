//! The policy file (`.trustdrift.hcl`, `--policy`, or the embedded
//! `policies/default.hcl`): read strictly, then validated. Every problem
//! names the file, line and column.

use std::collections::{BTreeMap, BTreeSet};

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body, Structure};

use crate::error::{Error, Result};
use crate::model::arn::is_account_id;
use crate::model::bedrock::BedrockRestrictions;
use crate::model::bedrock::regions::{PREFIXES, table};
use crate::model::location::{LineIndex, Location};
use crate::model::severity::Severity;

/// The built-in policy, used when no policy file is found.
pub const DEFAULT_POLICY: &str = include_str!("../policies/default.hcl");
pub const DEFAULT_POLICY_NAME: &str = "policies/default.hcl";

/// A validated policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub organization: Organization,
    /// Known third parties by account id.
    pub accounts: BTreeMap<String, ThirdParty>,
    pub rules: BTreeMap<String, RuleSetting>,
    pub metadata: Metadata,
    /// Service principals, beyond the built-in Bedrock family, whose roles
    /// need `aws:SourceAccount`/`aws:SourceArn` (TD006).
    pub confused_deputy_services: BTreeSet<String>,
    /// Limits on what trust may allow (`limits` block).
    pub limits: Limits,
    /// What Bedrock invocation may reach (`bedrock` block); `None`: no
    /// restriction configured.
    pub bedrock: Option<BedrockRestrictions>,
    /// Where this policy was read from: every report says so.
    pub source: PolicySource,
    /// `suppress` blocks, in file order.
    pub suppressions: Vec<PolicySuppression>,
    /// Where each setting is written (`rule.TD001`, `account.999988887777`,
    /// `organization.accounts`, `organization.id`, `metadata.max_expiry_days`,
    /// `confused_deputy_services`), for findings about a change to it.
    pub places: BTreeMap<String, Location>,
}

/// A `suppress` block: findings of `rule` on addresses matching `address`
/// are held back until `expires`. Without a reason it suppresses nothing
/// and is reported (TD902), as is one past its expiry or matching nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySuppression {
    pub rule: String,
    /// A glob over finding addresses (`module.legacy.*`); `*` crosses dots
    /// and brackets. `None` matches every address.
    pub address: Option<String>,
    pub reason: Option<String>,
    /// YYYY-MM-DD; the last day it holds.
    pub expires: Option<String>,
    /// Where the block is written.
    pub location: Location,
}

/// `YYYY-MM-DD` with a real month and day.
pub fn is_date(s: &str) -> bool {
    crate::model::date::Date::parse(s).is_some()
}

/// Where the policy in force was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySource {
    /// The file as shown (`.trustdrift.hcl`, `policies/default.hcl` for the
    /// built-in one).
    pub file: String,
    /// The git revision it was read at (`--baseline-ref`); `None` for the
    /// work tree or the built-in policy.
    pub revision: Option<String>,
    /// The built-in policy: no policy file was found.
    pub builtin: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Organization {
    pub id: Option<String>,
    pub accounts: BTreeSet<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThirdParty {
    pub name: Option<String>,
    /// Condition keys the account must present (`sts:ExternalId`).
    pub requires: Vec<String>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSetting {
    pub severity: Option<Severity>,
    pub enabled: Option<bool>,
}

/// The `limits` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The longest session (seconds) a cross-account role may grant (TD008).
    pub max_session_duration: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_session_duration: 3600,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// Tag keys that name an owner; the first present wins.
    pub owner_tags: Vec<String>,
    pub expiry_tag: String,
    pub review_tag: String,
    pub ticket_tag: String,
    pub max_expiry_days: u32,
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata {
            owner_tags: vec!["owner".to_string()],
            expiry_tag: "trust-expires".to_string(),
            review_tag: "trust-reviewed".to_string(),
            ticket_tag: "trust-ticket".to_string(),
            max_expiry_days: 90,
        }
    }
}

impl Policy {
    /// The embedded default policy.
    pub fn builtin(known_rules: &[&str]) -> Result<Policy> {
        let mut p = Policy::parse(DEFAULT_POLICY_NAME, DEFAULT_POLICY, known_rules)?;
        p.source.builtin = true;
        Ok(p)
    }

    /// The severity this policy gives rule `code` (default `default`), or
    /// `None` when it turns the rule off.
    pub fn rule_severity(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(code) {
            Some(s) if s.enabled == Some(false) => None,
            Some(s) => Some(s.severity.unwrap_or(default)),
            None => Some(default),
        }
    }

    /// Parses and validates policy text. `known_rules` are the codes a
    /// `rule "…"` block may name.
    pub fn parse(path: &str, text: &str, known_rules: &[&str]) -> Result<Policy> {
        let body =
            crate::ingest::hcl::source::parse_body_within_deadline(path, text)?.map_err(|e| {
                let loc = e.location();
                Error::at(
                    path,
                    loc.line() as u32,
                    loc.column() as u32,
                    e.message().to_string(),
                )
            })?;
        let reader = Reader {
            path,
            text,
            index: LineIndex::new(text.as_bytes()),
            known_rules,
        };
        let mut policy = reader.policy(&body)?;
        policy.source.file = path.to_string();
        policy.places = reader.places(&body);
        Ok(policy)
    }
}

/// Finds and reads the policy: `explicit` (`--policy`), else
/// `.trustdrift.hcl` in the first scanned directory or the working
/// directory, else the built-in one.
pub fn load(explicit: Option<&str>, paths: &[String], known_rules: &[&str]) -> Result<Policy> {
    let read = |path: &str| -> Result<Policy> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::file(path, "the policy file is not a regular file"));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::file(path, "the policy file is not UTF-8"))?;
        Policy::parse(path, &text, known_rules)
    };
    if let Some(p) = explicit {
        return read(p);
    }
    for c in candidates(paths) {
        let path = std::path::Path::new(&c);
        if path.symlink_metadata().is_ok() {
            refuse_link_out(path, &c)?;
            return read(&c);
        }
    }
    Policy::builtin(known_rules)
}

/// Where a policy file is looked for when `--policy` is not given, in order.
pub fn candidates(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .filter(|p| std::path::Path::new(p).is_dir())
        .take(1)
        .map(|d| format!("{}/.trustdrift.hcl", d.trim_end_matches('/')))
        .collect();
    out.push(".trustdrift.hcl".to_string());
    out.dedup();
    out
}

/// A discovered `.trustdrift.hcl` is part of the scanned code: a symlink
/// from it to a file outside its directory is refused, as any file out of
/// the root is.
fn refuse_link_out(path: &std::path::Path, shown: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let (Ok(dir), Ok(target)) = (dir.canonicalize(), path.canonicalize()) else {
        return Err(Error::file(shown, "the policy file cannot be resolved"));
    };
    if target.starts_with(&dir) {
        Ok(())
    } else {
        Err(Error::file(
            shown,
            "the policy file is a symlink to a file outside its directory: refused",
        ))
    }
}

/// Reads the policy as it was at git revision `rev` (`--baseline-ref`): the
/// first of the same candidates that exists there, else the built-in one.
/// A pull request cannot weaken the gate that judges it this way.
pub fn load_at(
    rev: &str,
    explicit: Option<&str>,
    paths: &[String],
    known_rules: &[&str],
) -> Result<Policy> {
    let repo = crate::git::Repo::discover(".")?;
    repo.verify(rev)?;
    let wanted: Vec<String> = match explicit {
        Some(p) => vec![p.to_string()],
        None => candidates(paths),
    };
    for c in wanted {
        let Some(bytes) = repo.show(rev, std::path::Path::new(&c))? else {
            continue;
        };
        let shown = format!("{c}@{rev}");
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::file(&shown, "the policy file is not UTF-8"))?;
        let mut policy = Policy::parse(&shown, &text, known_rules)?;
        policy.source.file = c;
        policy.source.revision = Some(rev.to_string());
        return Ok(policy);
    }
    let mut policy = Policy::builtin(known_rules)?;
    policy.source.revision = Some(rev.to_string());
    Ok(policy)
}

/// A way the policy file in the change is weaker than the one it replaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyChange {
    /// Where the weaker setting is written (or where the stronger one was).
    pub location: Location,
    pub message: String,
}

/// Everything `head` (the policy file in the change) allows that `base` (the
/// one in force at the base revision) did not: a rule turned off or its
/// severity lowered, an account added to the organisation or the
/// organisation id changed, a third party's required condition dropped, a
/// service dropped from `confused_deputy_services`, a longer expiry allowed.
/// `defaults` gives each rule's default severity.
pub fn weakenings(
    base: &Policy,
    head: &Policy,
    defaults: &[(&str, Severity)],
) -> Vec<PolicyChange> {
    let at = |key: &str| -> Location {
        head.places
            .get(key)
            .or_else(|| base.places.get(key))
            .cloned()
            .unwrap_or_else(|| Location::new(&head.source.file, 1, 1))
    };
    let mut out = Vec::new();
    let mut push = |key: &str, message: String| {
        out.push(PolicyChange {
            location: at(key),
            message,
        })
    };
    for (code, default) in defaults {
        let key = format!("rule.{code}");
        match (
            base.rule_severity(code, *default),
            head.rule_severity(code, *default),
        ) {
            (Some(_), None) => push(&key, format!("turns rule {code} off")),
            (Some(b), Some(h)) if h < b => {
                push(&key, format!("lowers rule {code} from {b} to {h}"))
            }
            _ => {}
        }
    }
    for account in head
        .organization
        .accounts
        .difference(&base.organization.accounts)
    {
        push(
            "organization.accounts",
            format!(
                "adds account {account} to the organisation: trust from it is no longer cross-account"
            ),
        );
    }
    if base.organization.id.is_some() && head.organization.id != base.organization.id {
        push(
            "organization.id",
            format!(
                "changes the organisation id from {} to {}",
                base.organization.id.as_deref().unwrap_or("none"),
                head.organization.id.as_deref().unwrap_or("none")
            ),
        );
    }
    for (id, party) in &base.accounts {
        let Some(now) = head.accounts.get(id) else {
            continue;
        };
        for key in party
            .requires
            .iter()
            .filter(|k| !now.requires.iter().any(|n| n.eq_ignore_ascii_case(k)))
        {
            push(
                &format!("account.{id}"),
                format!("drops the {key} that account {id} must present"),
            );
        }
    }
    for service in base
        .confused_deputy_services
        .difference(&head.confused_deputy_services)
    {
        push(
            "confused_deputy_services",
            format!("drops {service} from confused_deputy_services"),
        );
    }
    if head.limits.max_session_duration > base.limits.max_session_duration {
        push(
            "limits.max_session_duration",
            format!(
                "raises max_session_duration from {} to {} seconds",
                base.limits.max_session_duration, head.limits.max_session_duration
            ),
        );
    }
    if head.metadata.max_expiry_days > base.metadata.max_expiry_days {
        push(
            "metadata.max_expiry_days",
            format!(
                "raises max_expiry_days from {} to {}",
                base.metadata.max_expiry_days, head.metadata.max_expiry_days
            ),
        );
    }
    if let Some(before) = &base.bedrock {
        let after = head.bedrock.clone().unwrap_or_default();
        let widened =
            |key: &str, b: &Option<BTreeSet<String>>, a: &Option<BTreeSet<String>>| match (b, a) {
                (Some(_), None) => vec![format!("lifts the bedrock {key} restriction")],
                (Some(b), Some(a)) => a
                    .difference(b)
                    .map(|x| format!("adds {x} to bedrock.{key}"))
                    .collect(),
                _ => Vec::new(),
            };
        let as_set = |m: &Option<Vec<String>>| m.as_ref().map(|v| v.iter().cloned().collect());
        for (key, b, a) in [
            (
                "allowed_regions",
                &before.allowed_regions,
                &after.allowed_regions,
            ),
            (
                "allowed_profiles",
                &before.allowed_profiles,
                &after.allowed_profiles,
            ),
            (
                "allowed_accounts",
                &before.allowed_accounts,
                &after.allowed_accounts,
            ),
            (
                "allowed_models",
                &as_set(&before.allowed_models),
                &as_set(&after.allowed_models),
            ),
        ] {
            for message in widened(key, b, a) {
                push(&format!("bedrock.{key}"), message);
            }
        }
    }
    for sup in &head.suppressions {
        let known = base
            .suppressions
            .iter()
            .any(|b| b.rule == sup.rule && b.address == sup.address);
        if !known {
            out.push(PolicyChange {
                location: sup.location.clone(),
                message: format!(
                    "adds a suppression of {} for {}",
                    sup.rule,
                    sup.address.as_deref().unwrap_or("every address")
                ),
            });
        }
    }
    out.sort();
    out
}

struct Reader<'a> {
    path: &'a str,
    text: &'a str,
    index: LineIndex,
    known_rules: &'a [&'a str],
}

const TOP_BLOCKS: &[&str] = &[
    "organization",
    "account",
    "rule",
    "metadata",
    "limits",
    "suppress",
    "bedrock",
];
const TOP_ATTRS: &[&str] = &["confused_deputy_services"];

impl Reader<'_> {
    fn location(&self, span: Option<std::ops::Range<usize>>) -> Location {
        let offset = span.map(|s| s.start).unwrap_or(0);
        let (line, column) = self.index.position(self.text.as_bytes(), offset);
        Location::new(self.path, line, column)
    }

    /// Where each setting is written (see [`Policy::places`]).
    fn places(&self, body: &Body) -> BTreeMap<String, Location> {
        let mut out = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    out.insert(attr.key.as_str().to_string(), self.location(attr.span()));
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    match block.labels.first() {
                        Some(label) => {
                            out.insert(
                                format!("{ident}.{}", label.as_str()),
                                self.location(block.span()),
                            );
                        }
                        None => {
                            out.insert(ident.to_string(), self.location(block.span()));
                            for attr in block.body.attributes() {
                                out.insert(
                                    format!("{ident}.{}", attr.key.as_str()),
                                    self.location(attr.span()),
                                );
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn error(&self, span: Option<std::ops::Range<usize>>, message: impl Into<String>) -> Error {
        let offset = span.map(|s| s.start).unwrap_or(0);
        let (line, column) = self.index.position(self.text.as_bytes(), offset);
        Error::at(self.path, line, column, message)
    }

    fn policy(&self, body: &Body) -> Result<Policy> {
        let mut policy = Policy::default();
        let mut seen_singletons = BTreeSet::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "confused_deputy_services" => {
                        policy.confused_deputy_services = self.strings(attr)?.into_iter().collect();
                    }
                    other => {
                        return Err(self.error(
                            attr.span(),
                            format!(
                                "unknown attribute `{other}`; expected one of: {}",
                                TOP_ATTRS.join(", ")
                            ),
                        ));
                    }
                },
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if matches!(ident, "organization" | "metadata" | "limits" | "bedrock")
                        && !seen_singletons.insert(ident.to_string())
                    {
                        return Err(
                            self.error(block.span(), format!("`{ident}` may appear only once"))
                        );
                    }
                    match ident {
                        "organization" => policy.organization = self.organization(block)?,
                        "account" => {
                            let id = self.label(block, "an account id")?;
                            if !is_account_id(&id) {
                                return Err(self.error(
                                    block.span(),
                                    format!("account \"{id}\": an account id is exactly 12 digits"),
                                ));
                            }
                            if policy.accounts.contains_key(&id) {
                                return Err(self.error(
                                    block.span(),
                                    format!("account \"{id}\" is declared twice"),
                                ));
                            }
                            let party = self.third_party(block)?;
                            policy.accounts.insert(id, party);
                        }
                        "rule" => {
                            let code = self.label(block, "a rule code")?;
                            if !self.known_rules.contains(&code.as_str()) {
                                return Err(self.error(
                                    block.span(),
                                    format!(
                                        "rule \"{code}\" does not exist (see `trustdrift rules`)"
                                    ),
                                ));
                            }
                            if policy.rules.contains_key(&code) {
                                return Err(self.error(
                                    block.span(),
                                    format!("rule \"{code}\" is configured twice"),
                                ));
                            }
                            let setting = self.rule(block)?;
                            policy.rules.insert(code, setting);
                        }
                        "metadata" => policy.metadata = self.metadata(block)?,
                        "limits" => policy.limits = self.limits(block)?,
                        "bedrock" => policy.bedrock = Some(self.bedrock(block)?),
                        "suppress" => {
                            let sup = self.suppression(block)?;
                            policy.suppressions.push(sup);
                        }
                        other => {
                            return Err(self.error(
                                block.span(),
                                format!(
                                    "unknown block `{other}`; expected one of: {}",
                                    TOP_BLOCKS.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for account in &policy.organization.accounts {
            if policy.accounts.contains_key(account) {
                return Err(Error::file(
                    self.path,
                    format!(
                        "account {account} is both in organization.accounts and declared as a third party"
                    ),
                ));
            }
        }
        Ok(policy)
    }

    fn label(&self, block: &Block, what: &str) -> Result<String> {
        match block.labels.as_slice() {
            [label] => Ok(label.as_str().to_string()),
            _ => Err(self.error(
                block.span(),
                format!("`{}` takes one label: {what}", block.ident.as_str()),
            )),
        }
    }

    /// The attributes of a block, refusing nested blocks and unknown keys.
    fn attributes<'b>(&self, block: &'b Block, allowed: &[&str]) -> Result<Vec<&'b Attribute>> {
        if !block.labels.is_empty() && !matches!(block.ident.as_str(), "account" | "rule") {
            return Err(self.error(
                block.span(),
                format!("`{}` takes no label", block.ident.as_str()),
            ));
        }
        let mut out: Vec<&Attribute> = Vec::new();
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    if !allowed.contains(&key) {
                        return Err(self.error(
                            attr.span(),
                            format!(
                                "unknown attribute `{key}` in `{}`; expected one of: {}",
                                block.ident.as_str(),
                                allowed.join(", ")
                            ),
                        ));
                    }
                    out.push(attr);
                }
                Structure::Block(inner) => {
                    return Err(self.error(
                        inner.span(),
                        format!(
                            "unexpected block `{}` inside `{}`",
                            inner.ident.as_str(),
                            block.ident.as_str()
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn string(&self, attr: &Attribute) -> Result<String> {
        match &attr.value {
            Expression::String(s) => Ok(s.as_str().to_string()),
            _ => Err(self.error(
                attr.value.span(),
                format!("`{}` must be a string literal", attr.key.as_str()),
            )),
        }
    }

    fn strings(&self, attr: &Attribute) -> Result<Vec<String>> {
        let Expression::Array(items) = &attr.value else {
            return Err(self.error(
                attr.value.span(),
                format!("`{}` must be a list of strings", attr.key.as_str()),
            ));
        };
        items
            .iter()
            .map(|e| match e {
                Expression::String(s) => Ok(s.as_str().to_string()),
                other => Err(self.error(
                    other.span(),
                    format!("`{}` must hold only strings", attr.key.as_str()),
                )),
            })
            .collect()
    }

    fn bool(&self, attr: &Attribute) -> Result<bool> {
        match &attr.value {
            Expression::Bool(b) => Ok(*b.value()),
            _ => Err(self.error(
                attr.value.span(),
                format!("`{}` must be true or false", attr.key.as_str()),
            )),
        }
    }

    fn organization(&self, block: &Block) -> Result<Organization> {
        let mut org = Organization::default();
        for attr in self.attributes(block, &["id", "accounts"])? {
            match attr.key.as_str() {
                "id" => {
                    let id = self.string(attr)?;
                    let valid = id.len() >= 12
                        && id.len() <= 34
                        && id.starts_with("o-")
                        && id[2..]
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                    if !valid {
                        return Err(self.error(
                            attr.value.span(),
                            format!("organization id \"{id}\" is not of the form o-<10 to 32 lowercase letters or digits>"),
                        ));
                    }
                    org.id = Some(id);
                }
                _ => {
                    let Expression::Array(items) = &attr.value else {
                        return Err(self.error(
                            attr.value.span(),
                            "`accounts` must be a list of 12-digit account ids",
                        ));
                    };
                    for item in items.iter() {
                        let Expression::String(s) = item else {
                            return Err(
                                self.error(item.span(), "account ids must be quoted strings")
                            );
                        };
                        if !is_account_id(s.as_str()) {
                            return Err(self.error(
                                item.span(),
                                format!(
                                    "\"{}\" is not an account id (exactly 12 digits)",
                                    s.as_str()
                                ),
                            ));
                        }
                        org.accounts.insert(s.as_str().to_string());
                    }
                }
            }
        }
        Ok(org)
    }

    fn third_party(&self, block: &Block) -> Result<ThirdParty> {
        let mut party = ThirdParty::default();
        for attr in self.attributes(block, &["name", "requires", "owner"])? {
            match attr.key.as_str() {
                "name" => party.name = Some(self.string(attr)?),
                "owner" => party.owner = Some(self.string(attr)?),
                _ => {
                    let keys = self.strings(attr)?;
                    if let Some(bad) = keys
                        .iter()
                        .find(|k| !k.contains(':') || k.contains(char::is_whitespace))
                    {
                        return Err(self.error(
                            attr.value.span(),
                            format!("\"{bad}\" is not a condition key (like sts:ExternalId)"),
                        ));
                    }
                    party.requires = keys;
                }
            }
        }
        Ok(party)
    }

    fn suppression(&self, block: &Block) -> Result<PolicySuppression> {
        let mut sup = PolicySuppression {
            rule: String::new(),
            address: None,
            reason: None,
            expires: None,
            location: self.location(block.span()),
        };
        for attr in self.attributes(block, &["rule", "address", "reason", "expires"])? {
            let value = self.string(attr)?;
            match attr.key.as_str() {
                "rule" => {
                    if !self.known_rules.contains(&value.as_str()) {
                        return Err(self.error(
                            attr.value.span(),
                            format!("rule \"{value}\" does not exist (see `trustdrift rules`)"),
                        ));
                    }
                    sup.rule = value;
                }
                "address" => {
                    if let Err(e) = crate::suppress::address_glob(&value) {
                        return Err(self.error(
                            attr.value.span(),
                            format!("address \"{value}\" is not a glob: {e}"),
                        ));
                    }
                    sup.address = Some(value);
                }
                "reason" => sup.reason = Some(value).filter(|r| !r.trim().is_empty()),
                _ => {
                    if !is_date(&value) {
                        return Err(self.error(
                            attr.value.span(),
                            format!("expires \"{value}\" is not a date (YYYY-MM-DD)"),
                        ));
                    }
                    sup.expires = Some(value);
                }
            }
        }
        if sup.rule.is_empty() {
            return Err(self.error(block.span(), "`suppress` needs `rule`"));
        }
        Ok(sup)
    }

    fn rule(&self, block: &Block) -> Result<RuleSetting> {
        let mut setting = RuleSetting::default();
        for attr in self.attributes(block, &["severity", "enabled"])? {
            match attr.key.as_str() {
                "severity" => {
                    let s = self.string(attr)?;
                    setting.severity = Some(
                        s.parse()
                            .map_err(|e: String| self.error(attr.value.span(), e))?,
                    );
                }
                _ => setting.enabled = Some(self.bool(attr)?),
            }
        }
        Ok(setting)
    }

    fn bedrock(&self, block: &Block) -> Result<BedrockRestrictions> {
        let mut b = BedrockRestrictions::default();
        let t = table();
        for attr in self.attributes(
            block,
            &[
                "allowed_regions",
                "allowed_profiles",
                "allowed_accounts",
                "allowed_models",
            ],
        )? {
            let items = self.located_strings(attr)?;
            match attr.key.as_str() {
                "allowed_regions" => {
                    for (item, span) in &items {
                        if !t.is_region(item) {
                            return Err(self.error(
                                span.clone(),
                                format!(
                                    "\"{item}\" is not a Bedrock Region in trustdrift's Region table (version {}); for global inference profiles, allow the profile: allowed_profiles = [\"global\"]",
                                    t.version
                                ),
                            ));
                        }
                    }
                    b.allowed_regions = Some(items.into_iter().map(|(s, _)| s).collect());
                }
                "allowed_profiles" => {
                    for (item, span) in &items {
                        if !PREFIXES.contains(&item.as_str()) {
                            return Err(self.error(
                                span.clone(),
                                format!(
                                    "\"{item}\" is not an inference profile prefix; expected one of: {} (without the dot)",
                                    PREFIXES.join(", ")
                                ),
                            ));
                        }
                    }
                    b.allowed_profiles = Some(items.into_iter().map(|(s, _)| s).collect());
                }
                "allowed_accounts" => {
                    for (item, span) in &items {
                        if !is_account_id(item) {
                            return Err(self.error(
                                span.clone(),
                                format!("\"{item}\" is not an account id (exactly 12 digits)"),
                            ));
                        }
                    }
                    b.allowed_accounts = Some(items.into_iter().map(|(s, _)| s).collect());
                }
                _ => {
                    for (item, span) in &items {
                        if item.is_empty() || item.contains(char::is_whitespace) {
                            return Err(self.error(
                                span.clone(),
                                format!(
                                    "\"{item}\" is not a model id glob (like anthropic.claude-*)"
                                ),
                            ));
                        }
                    }
                    let mut globs: Vec<String> = items.into_iter().map(|(s, _)| s).collect();
                    globs.sort();
                    globs.dedup();
                    b.allowed_models = Some(globs);
                }
            }
        }
        Ok(b)
    }

    /// A list of string literals, each with where it is written.
    fn located_strings(
        &self,
        attr: &Attribute,
    ) -> Result<Vec<(String, Option<std::ops::Range<usize>>)>> {
        let Expression::Array(items) = &attr.value else {
            return Err(self.error(
                attr.value.span(),
                format!("`{}` must be a list of strings", attr.key.as_str()),
            ));
        };
        items
            .iter()
            .map(|e| match e {
                Expression::String(s) => Ok((s.as_str().to_string(), e.span())),
                other => Err(self.error(
                    other.span(),
                    format!("`{}` must hold only strings", attr.key.as_str()),
                )),
            })
            .collect()
    }

    fn limits(&self, block: &Block) -> Result<Limits> {
        let mut l = Limits::default();
        for attr in self.attributes(block, &["max_session_duration"])? {
            let secs = match &attr.value {
                Expression::Number(n) => n.value().as_u64(),
                _ => None,
            };
            l.max_session_duration = match secs {
                Some(s) if (900..=43_200).contains(&s) => s as u32,
                _ => {
                    return Err(self.error(
                        attr.value.span(),
                        "`max_session_duration` must be a whole number of seconds from 900 to 43200 (what IAM allows)",
                    ));
                }
            };
        }
        Ok(l)
    }

    fn metadata(&self, block: &Block) -> Result<Metadata> {
        let mut m = Metadata::default();
        for attr in self.attributes(
            block,
            &[
                "owner_tags",
                "expiry_tag",
                "review_tag",
                "ticket_tag",
                "max_expiry_days",
            ],
        )? {
            match attr.key.as_str() {
                "owner_tags" => {
                    m.owner_tags = self.strings(attr)?;
                    if m.owner_tags.is_empty() {
                        return Err(self
                            .error(attr.value.span(), "`owner_tags` needs at least one tag key"));
                    }
                }
                "expiry_tag" => m.expiry_tag = self.string(attr)?,
                "review_tag" => m.review_tag = self.string(attr)?,
                "ticket_tag" => m.ticket_tag = self.string(attr)?,
                _ => {
                    let days = match &attr.value {
                        Expression::Number(n) => n.value().as_u64(),
                        _ => None,
                    };
                    m.max_expiry_days = match days {
                        Some(d) if (1..=3660).contains(&d) => d as u32,
                        _ => {
                            return Err(self.error(
                                attr.value.span(),
                                "`max_expiry_days` must be a whole number of days from 1 to 3660",
                            ));
                        }
                    };
                }
            }
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[&str] = &["TD001", "TD002"];

    #[test]
    fn default_policy_is_the_built_in_defaults() {
        let mut p = Policy::builtin(RULES).expect("default policy parses");
        assert!(p.source.builtin);
        assert_eq!(p.source.file, DEFAULT_POLICY_NAME);
        assert!(p.places.contains_key("metadata.max_expiry_days"));
        p.source = PolicySource::default();
        p.places.clear();
        assert_eq!(p, Policy::default());
    }

    #[test]
    fn full_policy_parses() {
        let p = Policy::parse(
            "p.hcl",
            r#"
organization {
  id       = "o-abc123def4"
  accounts = ["111111111111", "222222222222"]
}
account "333333333333" {
  name     = "vendor-x"
  requires = ["sts:ExternalId"]
  owner    = "team-vendors"
}
rule "TD002" {
  severity = "critical"
}
rule "TD001" {
  enabled = false
}
confused_deputy_services = ["events.amazonaws.com"]
"#,
            RULES,
        )
        .expect("valid");
        assert_eq!(p.organization.accounts.len(), 2);
        assert_eq!(p.accounts["333333333333"].requires, vec!["sts:ExternalId"]);
        assert_eq!(p.rules["TD002"].severity, Some(Severity::Critical));
        assert_eq!(p.rules["TD001"].enabled, Some(false));
    }

    fn error_of(text: &str) -> String {
        Policy::parse("p.hcl", text, RULES)
            .expect_err("must fail")
            .to_string()
    }

    #[test]
    fn typos_and_bad_values_point_at_the_line() {
        assert_eq!(
            error_of("rule \"TD002\" {\n  severty = \"low\"\n}\n"),
            "p.hcl:2:3: unknown attribute `severty` in `rule`; expected one of: severity, enabled"
        );
        assert_eq!(
            error_of("organization {\n  accounts = [\"1234567890123\"]\n}\n"),
            "p.hcl:2:15: \"1234567890123\" is not an account id (exactly 12 digits)"
        );
        assert_eq!(
            error_of("organisation {\n}\n"),
            "p.hcl:1:1: unknown block `organisation`; expected one of: organization, account, rule, metadata, limits, suppress, bedrock"
        );
        assert_eq!(
            error_of("rule \"TD777\" {\n}\n"),
            "p.hcl:1:1: rule \"TD777\" does not exist (see `trustdrift rules`)"
        );
        assert!(
            error_of("rule \"TD001\" {\n  severity = \"huge\"\n}\n")
                .starts_with("p.hcl:2:14: unknown severity")
        );
        assert!(error_of("organization {\n").starts_with("p.hcl:1:16: invalid block body"));
    }

    #[test]
    fn suppress_blocks_keep_their_line_and_refuse_bad_values() {
        let p = Policy::parse(
            "p.hcl",
            "rule \"TD001\" {\n}\n\nsuppress {\n  rule    = \"TD002\"\n  address = \"module.legacy.*\"\n  reason  = \"SEC-12\"\n  expires = \"2027-01-31\"\n}\n",
            RULES,
        )
        .expect("valid");
        assert_eq!(p.suppressions.len(), 1);
        let s = &p.suppressions[0];
        assert_eq!(s.location, Location::new("p.hcl", 4, 1));
        assert_eq!(s.address.as_deref(), Some("module.legacy.*"));
        assert_eq!(s.expires.as_deref(), Some("2027-01-31"));
        assert_eq!(
            error_of("suppress {\n  rule = \"TD002\"\n  expires = \"2027-02-30\"\n}\n"),
            "p.hcl:3:13: expires \"2027-02-30\" is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            error_of("suppress {\n  rule = \"TD777\"\n}\n"),
            "p.hcl:2:10: rule \"TD777\" does not exist (see `trustdrift rules`)"
        );
        assert!(
            error_of("suppress {\n  rule = \"TD002\"\n  address = \"a[\"\n}\n")
                .starts_with("p.hcl:3:13: address \"a[\" is not a glob")
        );
        assert_eq!(
            error_of("suppress {\n  reason = \"x\"\n}\n"),
            "p.hcl:1:1: `suppress` needs `rule`"
        );
    }

    #[test]
    fn a_new_suppression_weakens_the_gate() {
        let base = Policy::parse("p.hcl", "", RULES).expect("base");
        let head = Policy::parse(
            "p.hcl",
            "suppress {\n  rule = \"TD002\"\n  reason = \"x\"\n}\n",
            RULES,
        )
        .expect("head");
        let changes = weakenings(&base, &head, &[]);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].message,
            "adds a suppression of TD002 for every address"
        );
        assert!(weakenings(&head, &head, &[]).is_empty());
    }

    #[test]
    fn the_bedrock_block_is_read_strictly() {
        let p = Policy::parse(
            "p.hcl",
            "bedrock {\n  allowed_regions  = [\"eu-west-1\", \"eu-central-1\"]\n  allowed_profiles = [\"eu\"]\n  allowed_accounts = [\"111111111111\"]\n  allowed_models   = [\"anthropic.claude-*\"]\n}\n",
            RULES,
        )
        .expect("valid");
        let b = p.bedrock.expect("bedrock block");
        assert_eq!(
            b.allowed_regions,
            Some(BTreeSet::from([
                "eu-central-1".to_string(),
                "eu-west-1".to_string()
            ]))
        );
        assert!(b.profile_allowed("eu") && !b.profile_allowed("global"));
        assert_eq!(
            b.allowed_models,
            Some(vec!["anthropic.claude-*".to_string()])
        );
        assert!(p.places.contains_key("bedrock.allowed_regions"));
        assert_eq!(
            Policy::parse("p.hcl", "", RULES).expect("empty").bedrock,
            None
        );
        assert_eq!(
            error_of("bedrock {\n  allowed_region = [\"eu-west-1\"]\n}\n"),
            "p.hcl:2:3: unknown attribute `allowed_region` in `bedrock`; expected one of: allowed_regions, allowed_profiles, allowed_accounts, allowed_models"
        );
        assert!(
            error_of("bedrock {\n  allowed_regions = [\"eu-west-1\", \"eu-wst-1\"]\n}\n")
                .starts_with(
                    "p.hcl:2:35: \"eu-wst-1\" is not a Bedrock Region in trustdrift's Region table"
                )
        );
        assert!(
            error_of("bedrock {\n  allowed_profiles = [\"global.\"]\n}\n")
                .starts_with("p.hcl:2:23: \"global.\" is not an inference profile prefix")
        );
        assert_eq!(
            error_of("bedrock {\n}\nbedrock {\n}\n"),
            "p.hcl:3:1: `bedrock` may appear only once"
        );
    }

    #[test]
    fn a_wider_bedrock_block_weakens_the_gate() {
        let base = Policy::parse(
            "p.hcl",
            "bedrock {\n  allowed_regions = [\"eu-west-1\"]\n  allowed_profiles = [\"eu\"]\n}\n",
            RULES,
        )
        .expect("base");
        let head = Policy::parse(
            "p.hcl",
            "bedrock {\n  allowed_regions = [\"eu-west-1\", \"us-east-1\"]\n}\n",
            RULES,
        )
        .expect("head");
        let messages: Vec<String> = weakenings(&base, &head, &[])
            .into_iter()
            .map(|c| c.message)
            .collect();
        assert_eq!(
            messages,
            vec![
                "adds us-east-1 to bedrock.allowed_regions".to_string(),
                "lifts the bedrock allowed_profiles restriction".to_string()
            ]
        );
        assert!(weakenings(&head, &base, &[]).is_empty());
    }

    #[test]
    fn dates_are_real_days() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-1-01"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("+024-01-01"));
    }
}
