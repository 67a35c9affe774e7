//! Which Bedrock invocations one identity's policies allow, where and on
//! whose resources: its Bedrock reach.
//!
//! The statements given are the identity's effective identity policies.
//! Each Allow statement that names an invocation action (DOMAIN §3.1) on a
//! Bedrock resource yields grants; `aws:RequestedRegion` conditions bound
//! their Regions, `bedrock:InferenceProfileArn` conditions make a grant
//! serve only calls routed through those profiles (DOMAIN §3.6), Deny
//! statements take away what they certainly match, and a permission
//! boundary intersects. Inference profiles expand to the Regions they route
//! to (the table in `model::bedrock::regions`). What cannot be decided
//! statically is said, never dropped. The result is an upper bound.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::bedrock::BedrockRestrictions;
use crate::model::bedrock::regions::{Basis, Destinations, UNSPECIFIED, split_profile_id, table};
use crate::model::bedrock::resource::{BedrockArn, Part, ResourcePattern, ResourceType};
use crate::model::inventory::{Policy as InventoryPolicy, Trust};
use crate::model::location::Location;
use crate::model::policy::{Condition, Effect, SetOperator, Statement, wildcard_match};
use crate::model::value::unknown_refs;

/// The invocation actions judged (Converse and ConverseStream are
/// authorised as `InvokeModel` and `InvokeModelWithResponseStream`).
pub const INVOKE_ACTIONS: &[&str] = &[
    "bedrock:CreateModelInvocationJob",
    "bedrock:InvokeAgent",
    "bedrock:InvokeFlow",
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:RetrieveAndGenerate",
];

// ------------------------------------------------------------------ input

/// Where a statement comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Origin {
    /// The policy's address (`aws_iam_role_policy.invoke`, or a managed
    /// policy ARN).
    pub policy: String,
    /// Index in the document's `Statement` list.
    pub statement: usize,
    pub location: Option<Location>,
}

/// One statement of an identity's effective policies, with its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedStatement {
    pub statement: Statement,
    pub origin: Origin,
}

impl SourcedStatement {
    /// The statements of an inventory policy, each with its address, index
    /// and place; `Err` with the reason when its document is not known
    /// statically or not readable (pass it in [`ReachInput::unresolved`]).
    pub fn from_policy(policy: &InventoryPolicy) -> Result<Vec<SourcedStatement>, String> {
        match &policy.document {
            Trust::Document(doc) => Ok(doc
                .statements
                .iter()
                .map(|s| SourcedStatement {
                    statement: s.clone(),
                    origin: Origin {
                        policy: policy.address.clone(),
                        statement: s.index,
                        location: Some(policy.statement_location(s.index).clone()),
                    },
                })
                .collect()),
            Trust::Missing => Ok(Vec::new()),
            Trust::Unknown(why) => Err(format!(
                "policy {} is not known before apply ({why}): what it grants cannot be verified",
                policy.address
            )),
            Trust::Invalid(e) => Err(format!(
                "policy {} is not a readable policy document ({e}): what it grants cannot be verified",
                policy.address
            )),
        }
    }
}

/// Everything the reach of one identity depends on. A boundary that is set
/// but cannot be read is passed as `boundary: None` with a reason in
/// `unresolved`: the reach is then an upper bound.
#[derive(Debug, Clone, Default)]
pub struct ReachInput<'a> {
    /// Identity-policy statements (inline and attached), Allow and Deny.
    pub statements: &'a [SourcedStatement],
    /// The permission boundary's statements; `None`: no boundary.
    pub boundary: Option<&'a [SourcedStatement]>,
    /// The identity's own account, when known.
    pub own_account: Option<&'a str>,
    /// What the caller could not resolve (a policy attachment whose
    /// document is unknown, an unresolvable boundary): carried into
    /// [`BedrockReach::unverifiable`].
    pub unresolved: Vec<String>,
}

// ----------------------------------------------------------------- output

/// A set of Regions (with [`UNSPECIFIED`] for the Region-less global model).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "regions", content = "values", rename_all = "snake_case")]
pub enum Regions {
    /// Every Region: nothing bounds it.
    Any,
    Only(BTreeSet<String>),
    /// Every Region but these: unbounded for a reviewer.
    Except(BTreeSet<String>),
    /// Rests on values not known statically (the references).
    Unknown(BTreeSet<String>),
}

impl Regions {
    fn one(r: &str) -> Regions {
        Regions::Only(BTreeSet::from([r.to_string()]))
    }

    /// Both hold.
    pub fn and(self, other: Regions) -> Regions {
        match (self, other) {
            (Regions::Any, x) | (x, Regions::Any) => x,
            (Regions::Unknown(mut a), Regions::Unknown(b)) => {
                a.extend(b);
                Regions::Unknown(a)
            }
            (Regions::Unknown(_), Regions::Only(s)) | (Regions::Only(s), Regions::Unknown(_)) => {
                Regions::Only(s)
            }
            (Regions::Unknown(u), Regions::Except(_))
            | (Regions::Except(_), Regions::Unknown(u)) => Regions::Unknown(u),
            (Regions::Only(a), Regions::Only(b)) => Regions::Only(&a & &b),
            (Regions::Only(a), Regions::Except(b)) | (Regions::Except(b), Regions::Only(a)) => {
                Regions::Only(&a - &b)
            }
            (Regions::Except(a), Regions::Except(b)) => Regions::Except(&a | &b),
        }
    }

    /// Either holds.
    pub fn or(self, other: Regions) -> Regions {
        match (self, other) {
            (Regions::Any, _) | (_, Regions::Any) => Regions::Any,
            (Regions::Unknown(mut a), Regions::Unknown(b)) => {
                a.extend(b);
                Regions::Unknown(a)
            }
            (Regions::Unknown(u), _) | (_, Regions::Unknown(u)) => Regions::Unknown(u),
            (Regions::Only(a), Regions::Only(b)) => Regions::Only(&a | &b),
            (Regions::Only(a), Regions::Except(b)) | (Regions::Except(b), Regions::Only(a)) => {
                Regions::Except(&b - &a)
            }
            (Regions::Except(a), Regions::Except(b)) => Regions::Except(&a & &b),
        }
    }

    /// Everything but these.
    fn not(self) -> Regions {
        match self {
            Regions::Any => Regions::Only(BTreeSet::new()),
            Regions::Only(s) if s.is_empty() => Regions::Any,
            Regions::Only(s) => Regions::Except(s),
            Regions::Except(s) => Regions::Only(s),
            u @ Regions::Unknown(_) => u,
        }
    }

    /// Not bounded to a list of Regions (any Region, or all but some).
    pub fn is_unbounded(&self) -> bool {
        matches!(self, Regions::Any | Regions::Except(_))
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Regions::Only(s) if s.is_empty())
    }

    /// Sorted Region names, or `["*"]` when not bounded to a list.
    pub fn list(&self) -> Vec<String> {
        match self {
            Regions::Only(s) => s.iter().cloned().collect(),
            _ => vec!["*".to_string()],
        }
    }
}

/// Whose resource a grant reaches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "owner", content = "value", rename_all = "snake_case")]
pub enum Owner {
    /// AWS: foundation models (their ARNs have no account).
    Aws,
    Account(String),
    /// An account pattern (`*`, `1111*`, a policy variable).
    Pattern(String),
    Unknown(BTreeSet<String>),
}

/// Where calls through an inference profile may run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ProfileReach {
    /// The profile id (or pattern) as written.
    pub profile: String,
    /// The prefix without its dot; `None` when the id spans prefixes or
    /// starts with none the table knows.
    pub prefix: Option<String>,
    /// Destination Regions for the grant's source Regions.
    pub destinations: Regions,
    /// `None` when no table row was used.
    pub basis: Option<Basis>,
    /// The table's source tags used.
    pub sources: BTreeSet<String>,
}

/// One action allowed on one resource pattern, and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct InvocationGrant {
    /// `bedrock:InvokeModel`.
    pub action: String,
    /// The `Resource` entry as written (`*` for a `NotResource` statement).
    pub resource: String,
    /// `None` for `*`, which names every type.
    pub resource_type: Option<ResourceType>,
    /// The model, profile, agent or flow id pattern (`*` for any).
    pub model: String,
    /// Regions the call may be made in: the ARN's Region bounded by
    /// `aws:RequestedRegion` and Deny statements. For a profile, its
    /// source Regions.
    pub regions: Regions,
    pub owner: Owner,
    /// `Some(true)` when the owner is another account than the identity's.
    pub cross_account: Option<bool>,
    /// For an inference profile: where it routes.
    pub profile: Option<ProfileReach>,
    /// Profile ARN patterns from `bedrock:InferenceProfileArn`: the grant
    /// serves only calls routed through them.
    pub routed_via: Option<BTreeSet<String>>,
    /// `NotResource` entries the grant excludes.
    pub excluding: Vec<String>,
    /// The Regions Deny statements leave: a routed call is authorised in
    /// each destination too, so this bounds a profile's destinations.
    pub limit: Regions,
    /// The statements that grant it.
    pub via: BTreeSet<Origin>,
}

impl InvocationGrant {
    /// Every Region the grant can make a model run in: its Regions and, for
    /// a profile, its destinations.
    pub fn reach_regions(&self) -> Regions {
        match &self.profile {
            Some(p) => self.regions.clone().or(p.destinations.clone()),
            None => self.regions.clone(),
        }
    }
}

/// A wildcard in `Action` (or a `NotAction`) that grants invocation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WildcardAction {
    /// `bedrock:*`, `*`, `bedrock:Invoke*`, or `NotAction: …`.
    pub pattern: String,
    /// The invocation actions it grants.
    pub actions: BTreeSet<String>,
    pub origin: Origin,
}

/// Why some part of the reach cannot be verified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Unverifiable {
    pub reason: String,
    pub origin: Option<Origin>,
}

/// The Bedrock reach of one identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BedrockReach {
    /// Sorted; empty when the identity may invoke nothing.
    pub grants: Vec<InvocationGrant>,
    pub wildcard_actions: Vec<WildcardAction>,
    pub unverifiable: Vec<Unverifiable>,
}

impl BedrockReach {
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// The normalised content for a baseline entry.
    pub fn summary(&self) -> ReachSummary {
        let mut s = ReachSummary::default();
        let mut regions = Regions::Only(BTreeSet::new());
        for g in &self.grants {
            s.actions.insert(g.action.clone());
            s.resources.insert(g.resource.clone());
            regions = regions.or(g.reach_regions());
            match &g.owner {
                Owner::Aws => {}
                Owner::Account(a) => {
                    s.accounts.insert(a.clone());
                }
                Owner::Pattern(_) => {
                    s.accounts.insert("*".to_string());
                }
                Owner::Unknown(_) => {
                    s.accounts.insert("(unknown)".to_string());
                }
            }
        }
        s.regions = regions.list().into_iter().collect();
        s
    }
}

/// A Bedrock reach as a baseline keeps it: sorted, deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReachSummary {
    pub actions: BTreeSet<String>,
    /// Region names (with `unspecified`), or `*`.
    pub regions: BTreeSet<String>,
    /// Owner accounts of reached resources (foundation models have none);
    /// `*` for a wildcard account, `(unknown)` for one not known statically.
    pub accounts: BTreeSet<String>,
    /// Resource patterns as written.
    pub resources: BTreeSet<String>,
}

/// What `after` reaches that `before` did not (TD207).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Widening {
    pub actions: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    pub accounts: BTreeSet<String>,
    pub resources: BTreeSet<String>,
}

impl Widening {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
            && self.regions.is_empty()
            && self.accounts.is_empty()
            && self.resources.is_empty()
    }
}

/// Actions, Regions, accounts and resources `after` adds to `before`; a
/// resource pattern counts as added unless a pattern of `before` covers it.
pub fn widened_by(before: &ReachSummary, after: &ReachSummary) -> Widening {
    let added = |b: &BTreeSet<String>, a: &BTreeSet<String>| -> BTreeSet<String> {
        if b.contains("*") {
            return BTreeSet::new();
        }
        if a.contains("*") {
            return BTreeSet::from(["*".to_string()]);
        }
        a - b
    };
    Widening {
        actions: after
            .actions
            .iter()
            .filter(|a| !before.actions.iter().any(|b| wildcard_match(b, a, true)))
            .cloned()
            .collect(),
        regions: added(&before.regions, &after.regions),
        accounts: added(&before.accounts, &after.accounts),
        resources: after
            .resources
            .iter()
            .filter(|a| !before.resources.iter().any(|b| wildcard_match(b, a, false)))
            .cloned()
            .collect(),
    }
}

// ----------------------------------------------------------------- engine

/// The Bedrock reach of one identity.
pub fn bedrock_reach(input: &ReachInput<'_>) -> BedrockReach {
    let mut out = BedrockReach::default();
    for reason in &input.unresolved {
        out.unverifiable.push(Unverifiable {
            reason: reason.clone(),
            origin: None,
        });
    }
    let mut grants = policy_grants(input.statements, input.own_account, &mut out);
    if let Some(boundary) = input.boundary {
        let mut scratch = BedrockReach::default();
        let allowed = policy_grants(boundary, input.own_account, &mut scratch);
        out.unverifiable.extend(scratch.unverifiable);
        grants = merge(intersect(grants, &allowed));
        // A wildcard action the boundary does not let through grants nothing.
        out.wildcard_actions.retain(|w| {
            w.actions
                .iter()
                .any(|a| grants.iter().any(|g| &g.action == a))
        });
    }
    grants.retain_mut(|g| finish(g, &mut out.unverifiable));
    grants.sort();
    grants.dedup();
    out.grants = grants;
    out.wildcard_actions.sort();
    out.wildcard_actions.dedup();
    out.unverifiable.sort();
    out.unverifiable.dedup();
    out
}

/// Grants of the Allow statements, less what the Deny statements take.
fn policy_grants(
    statements: &[SourcedStatement],
    own: Option<&str>,
    out: &mut BedrockReach,
) -> Vec<InvocationGrant> {
    let mut allowed = Vec::new();
    for s in statements
        .iter()
        .filter(|s| s.statement.effect == Effect::Allow)
    {
        allowed.extend(allow_grants(s, own, out));
    }
    let denies: Vec<&SourcedStatement> = statements
        .iter()
        .filter(|s| s.statement.effect == Effect::Deny)
        .collect();
    let mut grants = merge(allowed);
    for d in denies {
        grants = grants
            .into_iter()
            .filter_map(|g| apply_deny(g, d, &mut out.unverifiable))
            .collect();
    }
    grants
}

/// One grant per (action, resource, routing, exclusions): the Regions of
/// several statements granting it join, and so do their origins.
fn merge(grants: Vec<InvocationGrant>) -> Vec<InvocationGrant> {
    let mut merged: BTreeMap<GrantKey, InvocationGrant> = BTreeMap::new();
    for g in grants {
        let key = GrantKey::of(&g);
        match merged.get_mut(&key) {
            Some(m) => {
                m.regions = std::mem::replace(&mut m.regions, Regions::Any).or(g.regions);
                m.limit = std::mem::replace(&mut m.limit, Regions::Any).or(g.limit);
                m.via.extend(g.via);
            }
            None => {
                merged.insert(key, g);
            }
        }
    }
    merged.into_values().collect()
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GrantKey {
    action: String,
    resource: String,
    routed_via: Option<BTreeSet<String>>,
    excluding: Vec<String>,
}

impl GrantKey {
    fn of(g: &InvocationGrant) -> GrantKey {
        GrantKey {
            action: g.action.clone(),
            resource: g.resource.clone(),
            routed_via: g.routed_via.clone(),
            excluding: g.excluding.clone(),
        }
    }
}

/// The invocation actions a statement's `Action`/`NotAction` covers.
fn actions_of(s: &Statement) -> Vec<&'static str> {
    INVOKE_ACTIONS
        .iter()
        .copied()
        .filter(|a| {
            if s.not_actions.is_empty() {
                s.actions.iter().any(|p| wildcard_match(p, a, true))
            } else {
                !s.not_actions.iter().any(|p| wildcard_match(p, a, true))
            }
        })
        .collect()
}

fn allow_grants(
    s: &SourcedStatement,
    own: Option<&str>,
    out: &mut BedrockReach,
) -> Vec<InvocationGrant> {
    let st = &s.statement;
    let origin = &s.origin;
    let mut why = |reason: String| {
        out.unverifiable.push(Unverifiable {
            reason,
            origin: Some(origin.clone()),
        })
    };
    for p in st.actions.iter().chain(&st.not_actions) {
        for r in unknown_refs(p) {
            why(format!("action {p} rests on {r}, not known before apply"));
        }
    }
    let actions = actions_of(st);
    if actions.is_empty() {
        return Vec::new();
    }
    let bounds = allow_bounds(st, &mut why);
    if bounds.regions.is_empty() {
        return Vec::new();
    }
    // Resources: as written, or everything but the `NotResource` entries.
    let (resources, excluding): (Vec<String>, Vec<String>) = if st.not_resources.is_empty() {
        (st.resources.clone(), Vec::new())
    } else {
        (vec!["*".to_string()], st.not_resources.clone())
    };
    let mut grants = Vec::new();
    for text in &resources {
        let pattern = ResourcePattern::parse(text);
        match &pattern {
            ResourcePattern::OtherService(_) | ResourcePattern::Malformed(_) => continue,
            ResourcePattern::Unknown(refs) => {
                for r in refs {
                    why(format!(
                        "resource {} rests on {r}, not known before apply",
                        crate::model::value::display_unknowns(text)
                    ));
                }
            }
            ResourcePattern::Bedrock(arn) => {
                for (what, part) in [
                    ("Region", &arn.region),
                    ("account", &arn.account),
                    ("id", &arn.id),
                ] {
                    if let Part::Unknown(refs) = part {
                        // The caller's account is the identity's own.
                        let own = what == "account"
                            && refs
                                .iter()
                                .all(|r| crate::model::principal::is_caller_account_ref(r));
                        for r in refs.iter().filter(|_| !own) {
                            why(format!(
                                "the {what} of resource {} rests on {r}, not known before apply",
                                crate::model::value::display_unknowns(text)
                            ));
                        }
                    }
                }
            }
            ResourcePattern::Everything => {}
        }
        for action in &actions {
            if !applies(action, &pattern) {
                continue;
            }
            if excluding.iter().any(|x| x == "*") {
                continue;
            }
            let (resource_type, model, regions, owner) = describe_resource(&pattern);
            // `data.aws_caller_identity.*.account_id` is the account the code
            // is applied in: the identity's own.
            let owner = match owner {
                Owner::Unknown(refs)
                    if !refs.is_empty()
                        && refs
                            .iter()
                            .all(|r| crate::model::principal::is_caller_account_ref(r)) =>
                {
                    Owner::Account(
                        own.unwrap_or(crate::model::principal::OWN_ACCOUNT)
                            .to_string(),
                    )
                }
                other => other,
            };
            let regions = regions.and(bounds.regions.clone());
            if regions.is_empty() {
                // The resource's Region is one the conditions never allow.
                continue;
            }
            let cross_account = match (&owner, own) {
                (Owner::Aws, _) => Some(false),
                (Owner::Account(a), None) if a == crate::model::principal::OWN_ACCOUNT => {
                    Some(false)
                }
                (Owner::Account(a), Some(me)) => Some(a != me),
                _ => None,
            };
            grants.push(InvocationGrant {
                action: action.to_string(),
                resource: text.clone(),
                resource_type,
                model,
                regions,
                owner,
                cross_account,
                profile: None,
                routed_via: bounds.routed_via.clone(),
                excluding: excluding.clone(),
                limit: Regions::Any,
                via: BTreeSet::from([origin.clone()]),
            });
        }
    }
    if !grants.is_empty() {
        let granted: BTreeSet<String> = grants.iter().map(|g| g.action.clone()).collect();
        if !st.not_actions.is_empty() {
            out.wildcard_actions.push(WildcardAction {
                pattern: format!("NotAction: {}", st.not_actions.join(", ")),
                actions: granted.clone(),
                origin: origin.clone(),
            });
        }
        for p in st.actions.iter().filter(|p| p.contains(['*', '?'])) {
            let covered: BTreeSet<String> = granted
                .iter()
                .filter(|a| wildcard_match(p, a, true))
                .cloned()
                .collect();
            if !covered.is_empty() {
                out.wildcard_actions.push(WildcardAction {
                    pattern: p.clone(),
                    actions: covered,
                    origin: origin.clone(),
                });
            }
        }
    }
    grants
}

/// Does `action` act on resources `pattern` can name (DOMAIN §3.1)?
fn applies(action: &str, pattern: &ResourcePattern) -> bool {
    use ResourceType as T;
    let kind = match pattern {
        ResourcePattern::Everything | ResourcePattern::Unknown(_) => return true,
        ResourcePattern::OtherService(_) | ResourcePattern::Malformed(_) => return false,
        ResourcePattern::Bedrock(arn) => &arn.kind,
    };
    // No resource type: only `Resource: "*"` grants it.
    if action == "bedrock:RetrieveAndGenerate" {
        return false;
    }
    if matches!(kind, T::Wildcard(_) | T::Unknown) {
        return true;
    }
    match action {
        "bedrock:InvokeModel" | "bedrock:InvokeModelWithResponseStream" => {
            matches!(
                kind,
                T::FoundationModel
                    | T::InferenceProfile
                    | T::ApplicationInferenceProfile
                    | T::ProvisionedModel
                    | T::CustomModelDeployment
                    | T::ImportedModel
                    | T::PromptRouter
                    | T::DefaultPromptRouter
                    | T::Prompt
                    | T::SystemTool
                    | T::Marketplace
            ) || (action == "bedrock:InvokeModel" && *kind == T::AsyncInvoke)
        }
        "bedrock:CreateModelInvocationJob" => matches!(
            kind,
            T::FoundationModel
                | T::CustomModel
                | T::ModelInvocationJob
                | T::InferenceProfile
                | T::ApplicationInferenceProfile
        ),
        "bedrock:InvokeAgent" => *kind == T::AgentAlias,
        "bedrock:InvokeFlow" => *kind == T::FlowAlias,
        _ => false,
    }
}

/// Type, id, Regions and owner that a resource pattern names.
fn describe_resource(p: &ResourcePattern) -> (Option<ResourceType>, String, Regions, Owner) {
    match p {
        ResourcePattern::Bedrock(arn) => (
            Some(arn.kind.clone()),
            arn.id.text(),
            arn_regions(arn),
            match &arn.account {
                Part::Empty => Owner::Aws,
                Part::Literal(a) => Owner::Account(a.clone()),
                Part::Pattern(a) => Owner::Pattern(a.clone()),
                Part::Unknown(r) => Owner::Unknown(r.clone()),
            },
        ),
        ResourcePattern::Unknown(refs) => (
            None,
            "*".to_string(),
            Regions::Unknown(refs.clone()),
            Owner::Unknown(refs.clone()),
        ),
        _ => (
            None,
            "*".to_string(),
            Regions::Any,
            Owner::Pattern("*".to_string()),
        ),
    }
}

fn arn_regions(arn: &BedrockArn) -> Regions {
    match &arn.region {
        Part::Empty => Regions::one(UNSPECIFIED),
        Part::Literal(r) => Regions::one(r),
        Part::Pattern(_) if arn.region.is_any() => Regions::Any,
        Part::Pattern(p) => Regions::Only(table().regions_matching(p)),
        Part::Unknown(refs) => Regions::Unknown(refs.clone()),
    }
}

/// What an Allow statement's conditions bound.
struct Bounds {
    regions: Regions,
    routed_via: Option<BTreeSet<String>>,
}

fn allow_bounds(st: &Statement, why: &mut impl FnMut(String)) -> Bounds {
    let mut b = Bounds {
        regions: Regions::Any,
        routed_via: None,
    };
    for c in &st.conditions {
        if !unknown_refs(&c.key).is_empty() {
            why(format!("condition key {} is not known before apply", c.key));
            continue;
        }
        if c.key_is("aws:RequestedRegion") {
            match region_condition(c) {
                Ok(r) => {
                    if let Regions::Unknown(refs) = &r {
                        for x in refs {
                            why(format!(
                                "aws:RequestedRegion is compared with {x}, not known before apply"
                            ));
                        }
                    }
                    b.regions = std::mem::replace(&mut b.regions, Regions::Any).and(r)
                }
                Err(e) => why(e),
            }
        } else if c.key_is("bedrock:InferenceProfileArn") {
            if let Some(patterns) = routed_only(c, why) {
                b.routed_via = Some(match b.routed_via.take() {
                    // Two conditions: both hold; keep the patterns of either
                    // that the other admits.
                    Some(prev) => prev
                        .iter()
                        .filter(|p| patterns.iter().any(|q| wildcard_match(q, p, false)))
                        .chain(
                            patterns
                                .iter()
                                .filter(|q| prev.iter().any(|p| wildcard_match(p, q, false))),
                        )
                        .cloned()
                        .collect(),
                    None => patterns,
                });
            }
        }
    }
    b
}

/// The Regions an `aws:RequestedRegion` condition admits. The key is in
/// every request and single-valued, so `…IfExists` and the set operators
/// read like the plain operator.
fn region_condition(c: &Condition) -> Result<Regions, String> {
    let refs: BTreeSet<String> = c
        .values
        .iter()
        .flat_map(|v| unknown_refs(v))
        .map(str::to_string)
        .collect();
    if !refs.is_empty() {
        return Ok(Regions::Unknown(refs));
    }
    let op = &c.operator;
    let base = op.base.to_ascii_lowercase();
    if base == "null" {
        // `true`: the key must be absent, which it never is.
        let absent = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        let present = c.values.iter().any(|v| v.eq_ignore_ascii_case("false"));
        return Ok(if present {
            Regions::Any
        } else if absent {
            Regions::Only(BTreeSet::new())
        } else {
            Regions::Any
        });
    }
    let (like, ignore_case, negated) = match base.as_str() {
        "stringequals" => (false, false, false),
        "stringnotequals" => (false, false, true),
        "stringequalsignorecase" => (false, true, false),
        "stringnotequalsignorecase" => (false, true, true),
        "stringlike" => (true, false, false),
        "stringnotlike" => (true, false, true),
        _ => {
            return Err(format!(
                "{} on aws:RequestedRegion is not a string comparison: the Regions it allows are not worked out",
                op.text
            ));
        }
    };
    let universe = table().universe();
    let mut matched = BTreeSet::new();
    for v in &c.values {
        // A policy variable stands for the caller's own value: anything.
        let everything =
            v.contains("${") || (like && !v.is_empty() && v.chars().all(|ch| ch == '*'));
        if everything {
            return Ok(if negated {
                Regions::Only(BTreeSet::new())
            } else {
                Regions::Any
            });
        }
        if !like {
            // A Region the table does not know yet is still a Region.
            matched.insert(if ignore_case {
                v.to_ascii_lowercase()
            } else {
                v.clone()
            });
            continue;
        }
        for r in &universe {
            let hit = if like {
                wildcard_match(v, r, ignore_case)
            } else if ignore_case {
                v.eq_ignore_ascii_case(r)
            } else {
                v == r
            };
            if hit {
                matched.insert(r.clone());
            }
        }
    }
    Ok(if negated {
        Regions::Except(matched)
    } else {
        Regions::Only(matched)
    })
}

/// The profile ARN patterns a `bedrock:InferenceProfileArn` condition
/// requires, when it requires one: the key is absent from direct calls, so
/// a positive operator without `IfExists` admits only routed calls.
fn routed_only(c: &Condition, why: &mut impl FnMut(String)) -> Option<BTreeSet<String>> {
    let op = &c.operator;
    if op.base.eq_ignore_ascii_case("Null") {
        return c
            .values
            .iter()
            .any(|v| v.eq_ignore_ascii_case("false"))
            .then(|| BTreeSet::from(["*".to_string()]));
    }
    if op.if_exists || op.set == Some(SetOperator::ForAllValues) || op.is_negated() {
        return None;
    }
    if !op.is_positive_match() {
        return None;
    }
    let mut out = BTreeSet::new();
    for v in &c.values {
        for r in unknown_refs(v) {
            why(format!(
                "bedrock:InferenceProfileArn value {v} rests on {r}, not known before apply"
            ));
        }
        out.insert(v.clone());
    }
    Some(out)
}

/// The grant less what Deny statement `d` certainly takes from it; `None`
/// when nothing is left.
fn apply_deny(
    mut g: InvocationGrant,
    d: &SourcedStatement,
    unverifiable: &mut Vec<Unverifiable>,
) -> Option<InvocationGrant> {
    let st = &d.statement;
    let action_hit = if st.not_actions.is_empty() {
        st.actions
            .iter()
            .any(|p| wildcard_match(p, &g.action, true))
    } else {
        !st.not_actions
            .iter()
            .any(|p| wildcard_match(p, &g.action, true))
    };
    if !action_hit {
        return Some(g);
    }
    let resource_hit = if st.not_resources.is_empty() {
        st.resources
            .iter()
            .any(|p| wildcard_match(p, &g.resource, false))
    } else {
        !st.not_resources
            .iter()
            .any(|p| wildcard_match(p, &g.resource, false) || wildcard_match(&g.resource, p, false))
    };
    if !resource_hit {
        return Some(g);
    }
    let mut denied = Regions::Any;
    let mut profiles: Option<Vec<String>> = None;
    for c in &st.conditions {
        if c.key_is("bedrock:InferenceProfileArn")
            && c.operator.is_positive_match()
            && !c.operator.if_exists
            && c.operator.set.is_none()
            && c.values.iter().all(|v| unknown_refs(v).is_empty())
        {
            // Denies only calls routed through these profiles.
            profiles
                .get_or_insert_with(Vec::new)
                .extend(c.values.iter().cloned());
        } else if c.key_is("aws:RequestedRegion") {
            match region_condition(c) {
                Ok(Regions::Unknown(refs)) => {
                    for r in refs {
                        unverifiable.push(Unverifiable {
                            reason: format!(
                                "a Deny's aws:RequestedRegion rests on {r}, not known before apply"
                            ),
                            origin: Some(d.origin.clone()),
                        });
                    }
                    return Some(g);
                }
                Ok(r) => denied = denied.and(r),
                Err(_) => return Some(g),
            }
        } else {
            // Holds only for some requests: it takes nothing for certain.
            return Some(g);
        }
    }
    // Routed calls are authorised on the model in each destination too: a
    // Deny that covers the models bounds where a profile may route.
    let covers_models = if st.not_resources.is_empty() {
        st.resources
            .iter()
            .any(|p| wildcard_match(p, ANY_MODEL, false))
    } else {
        !st.not_resources
            .iter()
            .any(|p| wildcard_match(p, ANY_MODEL, false) || wildcard_match(ANY_MODEL, p, false))
    };
    let left = denied.not();
    if let Some(profiles) = profiles {
        let matched = |r: &String| profiles.iter().any(|p| wildcard_match(p, r, false));
        match &g.routed_via {
            // Every call this grant serves is routed through a denied profile.
            Some(routes) if routes.iter().all(matched) => {}
            _ if g.resource_type == Some(ResourceType::InferenceProfile)
                && matched(&g.resource)
                && covers_models =>
            {
                // The profile's routed calls are denied in these Regions.
                g.limit = g.limit.and(left);
                return Some(g);
            }
            _ => return Some(g),
        }
    }
    if left.is_empty() {
        return None;
    }
    g.regions = g.regions.and(left.clone());
    if covers_models {
        g.limit = g.limit.and(left);
    }
    (!g.regions.is_empty()).then_some(g)
}

/// Every foundation model in every Region, as a resource text.
const ANY_MODEL: &str = "arn:aws:bedrock:*::foundation-model/*";

/// Grants both the identity policies and the boundary allow.
fn intersect(grants: Vec<InvocationGrant>, boundary: &[InvocationGrant]) -> Vec<InvocationGrant> {
    let mut out = Vec::new();
    for g in &grants {
        for b in boundary.iter().filter(|b| b.action == g.action) {
            let base = if wildcard_match(&b.resource, &g.resource, false) {
                g
            } else if wildcard_match(&g.resource, &b.resource, false) {
                b
            } else {
                continue;
            };
            let mut n = base.clone();
            n.regions = g.regions.clone().and(b.regions.clone());
            if n.regions.is_empty() {
                continue;
            }
            n.routed_via = match (&g.routed_via, &b.routed_via) {
                (Some(x), _) | (None, Some(x)) => Some(x.clone()),
                (None, None) => None,
            };
            n.limit = g.limit.clone().and(b.limit.clone());
            // The boundary only permits: the grant is the identity's.
            n.via = g.via.clone();
            out.push(n);
        }
    }
    out
}

/// Profile expansion and the Region bound of routed-only grants.
/// Returns false when the grant serves no call: a profile whose routed
/// calls are denied in one of its destinations fails whole (DOMAIN §3.7).
fn finish(g: &mut InvocationGrant, unverifiable: &mut Vec<Unverifiable>) -> bool {
    let origin = g.via.iter().next().cloned();
    let mut note = |reason: String| {
        unverifiable.push(Unverifiable {
            reason,
            origin: origin.clone(),
        })
    };
    if let Some(routes) = &g.routed_via {
        let mut bound = Regions::Only(BTreeSet::new());
        for r in routes {
            bound = bound.or(profile_regions(r));
        }
        g.regions = std::mem::replace(&mut g.regions, Regions::Any).and(bound);
    }
    match &g.resource_type {
        Some(ResourceType::InferenceProfile) => {
            let p = expand_profile(&g.model, &g.regions);
            if let Regions::Only(dest) = &p.destinations {
                let left = Regions::Only(dest.clone()).and(g.limit.clone());
                if left != p.destinations && !matches!(left, Regions::Unknown(_)) {
                    return false;
                }
            }
            if p.prefix.is_none()
                && unknown_refs(&g.model).is_empty()
                && !matches!(p.destinations, Regions::Any)
            {
                note(format!(
                    "inference profile {} starts with no prefix the Region table knows: where it routes is unknown",
                    g.model
                ));
            }
            g.profile = Some(p);
        }
        Some(ResourceType::ApplicationInferenceProfile) => note(format!(
            "application inference profile {}: where it routes depends on the model or profile it copies, not resolved here",
            g.model
        )),
        _ => {}
    }
    true
}

/// Source and destination Regions of the profiles an ARN pattern names.
fn profile_regions(pattern: &str) -> Regions {
    match ResourcePattern::parse(pattern) {
        ResourcePattern::Bedrock(arn) if arn.kind == ResourceType::InferenceProfile => {
            let sources = arn_regions(&arn);
            let p = expand_profile(&arn.id.text(), &sources);
            sources.or(p.destinations)
        }
        ResourcePattern::Unknown(refs) => Regions::Unknown(refs),
        _ => Regions::Any,
    }
}

/// Where profile `id` routes when called from `sources`.
fn expand_profile(id: &str, sources: &Regions) -> ProfileReach {
    let mut reach = ProfileReach {
        profile: id.to_string(),
        prefix: None,
        destinations: Regions::Any,
        basis: None,
        sources: BTreeSet::new(),
    };
    if !unknown_refs(id).is_empty() {
        reach.destinations =
            Regions::Unknown(unknown_refs(id).into_iter().map(str::to_string).collect());
        return reach;
    }
    if split_profile_id(id).is_none() {
        // A wildcard before any prefix spans every prefix: any Region.
        if !id.starts_with(['*', '?']) {
            reach.destinations =
                Regions::Unknown(BTreeSet::from([format!("unknown profile prefix of {id}")]));
        }
        return reach;
    }
    let source_list: Vec<String> = match sources {
        Regions::Only(s) => s.iter().cloned().collect(),
        _ => vec!["*".to_string()],
    };
    let mut dest = BTreeSet::new();
    let mut basis = Basis::Model;
    for src in &source_list {
        match table().destinations(id, src) {
            Destinations::Known {
                prefix,
                regions,
                basis: b,
                sources,
            } => {
                reach.prefix = Some(prefix);
                dest.extend(regions);
                basis = basis.max(b);
                reach.sources.extend(sources);
            }
            Destinations::UnknownPrefix { id } => {
                reach.destinations =
                    Regions::Unknown(BTreeSet::from([format!("unknown profile prefix of {id}")]));
                return reach;
            }
        }
    }
    if reach.prefix.is_none() {
        reach.prefix = split_profile_id(id).map(|(p, _)| p.to_string());
    }
    reach.destinations = Regions::Only(dest);
    reach.basis = Some(basis);
    reach
}

// -------------------------------------------------------------- judgement

/// Regions a grant reaches outside `allowed_regions` (TD101, TD103).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RegionsOutside {
    /// Index into [`BedrockReach::grants`].
    pub grant: usize,
    /// Named Regions outside (sorted); empty when `unbounded`.
    pub regions: BTreeSet<String>,
    /// The grant is not bounded to a list of Regions.
    pub unbounded: bool,
    /// The Regions are destinations of this profile (TD103), not where
    /// the call is made.
    pub through_profile: Option<String>,
}

/// Grants reaching Regions outside the allowed ones; destinations of
/// profiles count. With `global` allowed, the destinations of global
/// profiles and the Region-less global model are accepted.
pub fn regions_outside(reach: &BedrockReach, r: &BedrockRestrictions) -> Vec<RegionsOutside> {
    let Some(allowed) = &r.allowed_regions else {
        return Vec::new();
    };
    let global_ok = r
        .allowed_profiles
        .as_ref()
        .is_some_and(|p| p.contains("global"));
    let outside = |regions: &Regions| -> Option<(BTreeSet<String>, bool)> {
        match regions {
            Regions::Only(s) => {
                let out: BTreeSet<String> = s
                    .iter()
                    .filter(|x| !allowed.contains(*x) && (!global_ok || *x != UNSPECIFIED))
                    .cloned()
                    .collect();
                (!out.is_empty()).then_some((out, false))
            }
            Regions::Any | Regions::Except(_) => Some((BTreeSet::new(), true)),
            Regions::Unknown(_) => None,
        }
    };
    let mut out = Vec::new();
    for (i, g) in reach.grants.iter().enumerate() {
        let routed_global_only = g.routed_via.as_ref().is_some_and(|routes| {
            routes.iter().all(|p| {
                matches!(ResourcePattern::parse(p), ResourcePattern::Bedrock(a)
                    if a.kind == ResourceType::InferenceProfile
                    && split_profile_id(&a.id.text()).is_some_and(|(x, _)| x == "global"))
            })
        });
        if global_ok && routed_global_only {
            continue;
        }
        if let Some((regions, unbounded)) = outside(&g.regions) {
            out.push(RegionsOutside {
                grant: i,
                regions,
                unbounded,
                // A routed-only grant reaches its Regions through profiles.
                through_profile: g
                    .routed_via
                    .as_ref()
                    .map(|r| r.iter().cloned().collect::<Vec<_>>().join(", ")),
            });
        }
        if let Some(p) = &g.profile {
            if global_ok && p.prefix.as_deref() == Some("global") {
                continue;
            }
            if let Some((regions, unbounded)) = outside(&p.destinations) {
                out.push(RegionsOutside {
                    grant: i,
                    regions,
                    unbounded,
                    through_profile: Some(p.profile.clone()),
                });
            }
        }
    }
    out
}

/// A profile whose prefix the policy does not allow (TD103).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProfileNotAllowed {
    pub grant: usize,
    pub profile: String,
    /// `None` when the prefix is not known to the table.
    pub prefix: Option<String>,
}

/// Profiles whose prefix is not allowed: not in `allowed_profiles`, or
/// `global` while Regions are restricted and `global` is not listed.
pub fn profiles_not_allowed(
    reach: &BedrockReach,
    r: &BedrockRestrictions,
) -> Vec<ProfileNotAllowed> {
    if r.allowed_regions.is_none() && r.allowed_profiles.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, g) in reach.grants.iter().enumerate() {
        let Some(p) = &g.profile else { continue };
        let ok = match &p.prefix {
            Some(prefix) => r.profile_allowed(prefix),
            None => false,
        };
        if !ok {
            out.push(ProfileNotAllowed {
                grant: i,
                profile: p.profile.clone(),
                prefix: p.prefix.clone(),
            });
        }
    }
    out
}

/// Profiles that may run calls in another Region than the one they are
/// called from (TD103 without a `bedrock` block): indexes into the grants.
pub fn cross_region_profiles(reach: &BedrockReach) -> Vec<usize> {
    reach
        .grants
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            g.profile
                .as_ref()
                .is_some_and(|p| match (&g.regions, &p.destinations) {
                    (Regions::Only(src), Regions::Only(dest)) => !dest.is_subset(src),
                    _ => true,
                })
        })
        .map(|(i, _)| i)
        .collect()
}

/// Grants on a wildcard Region (or `*` resource) that no
/// `aws:RequestedRegion` condition bounds (TD102): indexes into the grants.
pub fn any_region_grants(reach: &BedrockReach) -> Vec<usize> {
    reach
        .grants
        .iter()
        .enumerate()
        .filter(|(_, g)| g.regions.is_unbounded())
        .map(|(i, _)| i)
        .collect()
}

/// Grants on resources owned by an account outside `allowed_accounts`
/// (or, with no list, by any other account than the identity's) (TD104).
pub fn accounts_outside(reach: &BedrockReach, r: &BedrockRestrictions) -> Vec<usize> {
    reach
        .grants
        .iter()
        .enumerate()
        .filter(|(_, g)| match (&g.owner, &r.allowed_accounts) {
            (Owner::Account(a), Some(allowed)) => {
                a != crate::model::principal::OWN_ACCOUNT && !allowed.contains(a)
            }
            (Owner::Account(_), None) => g.cross_account == Some(true),
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

/// Grants on models (or profiles of models) that no `allowed_models` glob
/// matches; a wildcard id matches no glob unless the glob is `*`.
pub fn models_outside(reach: &BedrockReach, r: &BedrockRestrictions) -> Vec<usize> {
    let Some(globs) = &r.allowed_models else {
        return Vec::new();
    };
    reach
        .grants
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            let model = match &g.resource_type {
                Some(ResourceType::FoundationModel) => g.model.as_str(),
                Some(ResourceType::InferenceProfile) => {
                    split_profile_id(&g.model).map_or(g.model.as_str(), |(_, m)| m)
                }
                None | Some(ResourceType::Wildcard(_)) => "*",
                _ => return false,
            };
            !globs.iter().any(|glob| wildcard_match(glob, model, false))
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests;
