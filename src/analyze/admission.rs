//! Who a trust statement admits, evaluated the way IAM evaluates it.
//!
//! For one principal of one statement, the request that principal's kind of
//! caller produces (an AWS caller's `sts:AssumeRole`, a service's, a web
//! identity's `sts:AssumeRoleWithWebIdentity` per issuer, a SAML assertion's
//! `sts:AssumeRoleWithSAML`) carries some condition keys always, some maybe,
//! some never (DOMAIN §1.5, §2.1). Every condition operator of the statement
//! must hold (AND), the values of one key are alternatives (OR), a negated
//! operator must differ from every value, `…IfExists` and `ForAllValues:` are
//! true without the key, `ForAnyValue:` is false without it, `Null` tests
//! presence. The result is an [`Admitted`]: which accounts, which identities
//! in them, which subjects or audiences, with which external id or MFA — or
//! nobody. A Deny statement with one condition subtracts what it matches.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::model::arn::{Arn, is_account_id};
use crate::model::policy::{Condition, Effect, SetOperator, Statement};
use crate::model::principal::{OWN_ACCOUNT, Principal, PrincipalClass, PrincipalType};
use crate::model::value::unknown_refs;

// ---------------------------------------------------------------- requests

/// The kind of request a principal makes to become the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A caller with AWS credentials: `sts:AssumeRole`, signed.
    Aws,
    /// An AWS service acting for a resource: `sts:AssumeRole`.
    Service,
    /// `sts:AssumeRoleWithWebIdentity` with a token of `issuer` (host[/path], lower case).
    WebIdentity { issuer: String },
    /// `sts:AssumeRoleWithSAML`.
    Saml,
}

/// Whether a request of one kind carries a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Always,
    Maybe,
    Never,
}

/// Keys of an AWS caller's signed request that every such request carries.
const AWS_ALWAYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:userid",
    "sts:rolesessionname",
];

/// Keys that only an AWS service acting for a resource brings.
const SERVICE_ONLY: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalservicename",
    "aws:principalservicenamelist",
];

/// Keys about an identity with AWS credentials: no service, web identity
/// or SAML request carries them.
const PRINCIPAL_ONLY: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "aws:username",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "sts:externalid",
];

/// Keys every request of any kind carries (global, request-wide).
const ALWAYS_EVERYWHERE: &[&str] = &[
    "aws:currenttime",
    "aws:epochtime",
    "aws:requestedregion",
    "aws:securetransport",
];

/// `HOST:CLAIM` of a web identity provider, split (host lower case).
fn web_identity_key(key: &str) -> Option<(&str, &str)> {
    let (host, claim) = key.rsplit_once(':')?;
    if host.contains('.') && !host.starts_with("aws") && !host.starts_with("sts") {
        Some((host, claim))
    } else {
        None
    }
}

impl Request {
    /// The STS action this kind of caller must be allowed.
    pub fn action(&self) -> &'static str {
        match self {
            Request::Aws | Request::Service => "sts:AssumeRole",
            Request::WebIdentity { .. } => "sts:AssumeRoleWithWebIdentity",
            Request::Saml => "sts:AssumeRoleWithSAML",
        }
    }

    /// The value every request of this kind has for `key`, where it is fixed.
    pub fn known_value(&self, key: &str) -> Option<&'static str> {
        match (self, key) {
            (Request::Aws, "aws:principalisawsservice") => Some("false"),
            (Request::Service, "aws:principalisawsservice") => Some("true"),
            _ => None,
        }
    }

    /// Does this kind of request carry `key` (lower case)?
    pub fn presence(&self, key: &str) -> Presence {
        if ALWAYS_EVERYWHERE.contains(&key) {
            return Presence::Always;
        }
        let saml = key.starts_with("saml:");
        let web = web_identity_key(key);
        match self {
            Request::Aws => {
                if AWS_ALWAYS.contains(&key) {
                    Presence::Always
                } else if SERVICE_ONLY.contains(&key) || saml || web.is_some() {
                    Presence::Never
                } else {
                    Presence::Maybe
                }
            }
            Request::Service => {
                if key == "aws:principalservicename" || key == "aws:principalisawsservice" {
                    Presence::Always
                } else if PRINCIPAL_ONLY.contains(&key) || saml || web.is_some() {
                    Presence::Never
                } else {
                    Presence::Maybe
                }
            }
            Request::WebIdentity { issuer } => {
                if let Some((host, claim)) = web {
                    if !host.eq_ignore_ascii_case(issuer) {
                        // Another issuer's claims are never in this token's request.
                        Presence::Never
                    } else if claim == "aud" || claim == "sub" {
                        Presence::Always
                    } else {
                        Presence::Maybe
                    }
                } else if key == "aws:federatedprovider" || key == "sts:rolesessionname" {
                    Presence::Always
                } else if PRINCIPAL_ONLY.contains(&key) || SERVICE_ONLY.contains(&key) || saml {
                    Presence::Never
                } else {
                    Presence::Maybe
                }
            }
            Request::Saml => {
                if matches!(
                    key,
                    "saml:aud" | "saml:iss" | "saml:sub" | "saml:sub_type" | "saml:namequalifier"
                ) || key == "aws:federatedprovider"
                {
                    Presence::Always
                } else if saml {
                    Presence::Maybe
                } else if PRINCIPAL_ONLY.contains(&key)
                    || SERVICE_ONLY.contains(&key)
                    || web.is_some()
                {
                    Presence::Never
                } else {
                    Presence::Maybe
                }
            }
        }
    }
}

// --------------------------------------------------------------- operators

/// What an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `StringEquals…`; `like`: `*` and `?` are wildcards.
    String {
        like: bool,
        ignore_case: bool,
    },
    /// `ArnEquals`/`ArnLike` (alike): wildcards per ARN component.
    Arn,
    Bool,
    Numeric,
    Date,
    Ip,
    Binary,
    Null,
}

/// A condition operator IAM accepts, taken apart.
#[derive(Debug, Clone, Copy)]
struct Op {
    family: Family,
    negated: bool,
    set: Option<SetOperator>,
    if_exists: bool,
}

fn parse_op(c: &Condition) -> Result<Op, String> {
    let op = &c.operator;
    let base = op.base.as_str();
    let is = |n: &str| base.eq_ignore_ascii_case(n);
    let (family, negated) = if is("StringEquals") {
        (
            Family::String {
                like: false,
                ignore_case: false,
            },
            false,
        )
    } else if is("StringNotEquals") {
        (
            Family::String {
                like: false,
                ignore_case: false,
            },
            true,
        )
    } else if is("StringEqualsIgnoreCase") {
        (
            Family::String {
                like: false,
                ignore_case: true,
            },
            false,
        )
    } else if is("StringNotEqualsIgnoreCase") {
        (
            Family::String {
                like: false,
                ignore_case: true,
            },
            true,
        )
    } else if is("StringLike") {
        (
            Family::String {
                like: true,
                ignore_case: false,
            },
            false,
        )
    } else if is("StringNotLike") {
        (
            Family::String {
                like: true,
                ignore_case: false,
            },
            true,
        )
    } else if is("ArnEquals") || is("ArnLike") {
        (Family::Arn, false)
    } else if is("ArnNotEquals") || is("ArnNotLike") {
        (Family::Arn, true)
    } else if is("Bool") {
        (Family::Bool, false)
    } else if is("BinaryEquals") {
        (Family::Binary, false)
    } else if is("IpAddress") {
        (Family::Ip, false)
    } else if is("NotIpAddress") {
        (Family::Ip, true)
    } else if is("Null") && !op.if_exists && op.set.is_none() {
        (Family::Null, false)
    } else if let Some(rest) = ["Numeric", "Date"]
        .iter()
        .find_map(|p| strip_ci(base, p).map(|r| (*p, r)))
    {
        let (prefix, tail) = rest;
        let family = if prefix == "Numeric" {
            Family::Numeric
        } else {
            Family::Date
        };
        let known = [
            "Equals",
            "NotEquals",
            "LessThan",
            "LessThanEquals",
            "GreaterThan",
            "GreaterThanEquals",
        ];
        if !known.iter().any(|k| tail.eq_ignore_ascii_case(k)) {
            return Err(unknown_operator(c));
        }
        (family, tail.eq_ignore_ascii_case("NotEquals"))
    } else {
        return Err(unknown_operator(c));
    };
    Ok(Op {
        family,
        negated,
        set: op.set,
        if_exists: op.if_exists,
    })
}

fn unknown_operator(c: &Condition) -> String {
    format!(
        "\"{}\" is not a condition operator IAM knows, so IAM refuses the document",
        c.operator.text
    )
}

fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

// ---------------------------------------------------------------- patterns

/// One element of a value pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `*`, or a policy variable: any run of characters.
    Star,
    /// `?`: one character.
    One,
}

/// A value as a pattern: `*`/`?` are wildcards only when `like`; `${*}`,
/// `${?}`, `${$}` are the literal characters; any other IAM policy variable
/// stands for the caller's own value, so it matches whatever the caller has.
/// Terraform unknowns (`${var.x}`) stay literal text.
fn tokens(value: &str, like: bool) -> Vec<Tok> {
    let unknown: Vec<&str> = unknown_refs(value);
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                let inner = &after[..end];
                match inner {
                    "*" => out.push(Tok::Lit('*')),
                    "?" => out.push(Tok::Lit('?')),
                    "$" => out.push(Tok::Lit('$')),
                    _ if unknown.contains(&inner) => {
                        out.extend(rest[..end + 3].chars().map(Tok::Lit));
                    }
                    _ => out.push(Tok::Star),
                }
                rest = &after[end + 1..];
                continue;
            }
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        out.push(match c {
            '*' if like => Tok::Star,
            '?' if like => Tok::One,
            c => Tok::Lit(c),
        });
        rest = chars.as_str();
    }
    out
}

/// Does the pattern match `text` (a concrete value)?
fn tok_match(p: &[Tok], text: &str, ignore_case: bool) -> bool {
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if ignore_case {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        match p.get(pi) {
            Some(Tok::One) => {
                pi += 1;
                ti += 1;
            }
            Some(Tok::Lit(c)) if eq(*c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            Some(Tok::Star) => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|t| *t == Tok::Star)
}

/// The pattern has wildcards (or depends on the caller).
fn is_wild(p: &[Tok]) -> bool {
    p.iter().any(|t| matches!(t, Tok::Star | Tok::One))
}

/// The pattern matches every value.
fn is_everything(p: &[Tok]) -> bool {
    p.contains(&Tok::Star) && p.iter().all(|t| matches!(t, Tok::Star))
}

/// A value in canonical pattern text: wildcards as `*`/`?`, literal wildcard
/// characters as `${*}`/`${?}`, policy variables as written.
fn canonical(value: &str, like: bool) -> String {
    if like {
        value.to_string()
    } else {
        // Keep policy variables; escape literal wildcard characters.
        let mut out = String::new();
        let mut rest = value;
        while !rest.is_empty() {
            if rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    out.push_str(&rest[..=end]);
                    rest = &rest[end + 1..];
                    continue;
                }
            }
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            match c {
                '*' => out.push_str("${*}"),
                '?' => out.push_str("${?}"),
                c => out.push(c),
            }
            rest = chars.as_str();
        }
        out
    }
}

/// Does canonical pattern `pattern` admit concrete or canonical `value`?
pub fn pattern_matches(pattern: &str, value: &str) -> bool {
    // Without `*`, `?` or a `${...}`, every token is its own character and
    // the pattern matches only its own text: no tokens need building (copy
    // detection asks this of many pairs).
    if !pattern.contains(['*', '?', '$']) {
        return pattern == value;
    }
    tok_match(&tokens(pattern, true), value, false)
}

/// Does a canonical pattern have a wildcard or policy variable?
pub fn pattern_is_wild(pattern: &str) -> bool {
    is_wild(&tokens(pattern, true))
}

/// ARN patterns match per colon-separated component (a `*` does not span a
/// colon, except inside the resource part).
fn arn_match(pattern: &str, arn: &str) -> bool {
    let pattern = arn_view(pattern);
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| pattern_matches(p, a))
}

/// An ARN pattern with each policy variable (`${aws:PrincipalAccount}`,
/// whose colon would split the ARN) replaced by the `*` it matches as.
fn arn_view(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) if after[..end].contains(':') => {
                out.push('*');
                rest = &after[end + 1..];
            }
            Some(end) => {
                out.push_str(&rest[start..start + end + 3]);
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

/// The account and resource parts of an ARN pattern.
fn arn_parts(pattern: &str) -> Option<(String, String)> {
    let view = arn_view(pattern);
    Arn::parse(&view).map(|a| (a.account.to_string(), a.resource.to_string()))
}

// --------------------------------------------------------------- the spans

/// A set of values a key (or an axis such as "accounts") is admitted with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "span", content = "values", rename_all = "snake_case")]
pub enum Span {
    /// Every value: nothing narrows this axis.
    Any,
    /// One of these (canonical patterns).
    Only(BTreeSet<String>),
    /// Anything except these.
    Except(BTreeSet<String>),
    /// Depends on values not known statically (Terraform references).
    Unresolved(BTreeSet<String>),
}

impl Span {
    pub fn is_any(&self) -> bool {
        matches!(self, Span::Any)
    }

    /// Narrowed to listed values, none of which is a wildcard that matches everything.
    pub fn only(&self) -> Option<&BTreeSet<String>> {
        match self {
            Span::Only(v) => Some(v),
            _ => None,
        }
    }

    /// Both hold.
    fn and(self, other: Span) -> Span {
        match (self, other) {
            (Span::Any, x) | (x, Span::Any) => x,
            (Span::Unresolved(mut a), Span::Unresolved(b)) => {
                a.extend(b);
                Span::Unresolved(a)
            }
            (Span::Unresolved(_), x) | (x, Span::Unresolved(_)) => x,
            (Span::Except(mut a), Span::Except(b)) => {
                a.extend(b);
                Span::Except(a)
            }
            (Span::Only(a), Span::Except(b)) | (Span::Except(b), Span::Only(a)) => Span::Only(
                a.into_iter()
                    .filter(|v| !b.iter().any(|x| pattern_matches(x, v)))
                    .collect(),
            ),
            (Span::Only(a), Span::Only(b)) => {
                let mut both: BTreeSet<String> = a
                    .iter()
                    .filter(|v| b.iter().any(|x| pattern_matches(x, v)))
                    .cloned()
                    .collect();
                both.extend(
                    b.iter()
                        .filter(|v| a.iter().any(|x| pattern_matches(x, v)))
                        .cloned(),
                );
                if both.is_empty()
                    && a.iter().any(|v| pattern_is_wild(v))
                    && b.iter().any(|v| pattern_is_wild(v))
                {
                    // Two patterns whose overlap is not one of them: keep the first.
                    return Span::Only(a);
                }
                Span::Only(both)
            }
        }
    }

    /// Admits nothing.
    fn is_empty(&self) -> bool {
        matches!(self, Span::Only(v) if v.is_empty())
    }
}

// -------------------------------------------------------------- conditions

/// What one condition means for one kind of request.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Holds for every such request.
    True,
    /// Holds for none.
    False,
    /// Holds when `key`'s value is in the span, and, when `absent`, also
    /// without the key (only kept so for a Deny, which is negated).
    Test {
        key: String,
        values: Span,
        absent: bool,
    },
    /// Holds only for requests without the key.
    Absent { key: String },
    /// An operator on a value that is not about who the caller is (a time,
    /// an address, a tag): it narrows, in words.
    Other { key: String, text: String },
}

/// The value span a positive/negated operator admits when the key is present.
fn present_span(op: Op, c: &Condition, key: &str) -> Result<Span, BTreeSet<String>> {
    let (like, ignore_case) = match op.family {
        Family::String { like, ignore_case } => (like, ignore_case),
        Family::Arn => (true, false),
        _ => (false, false),
    };
    let mut refs = BTreeSet::new();
    let mut set = BTreeSet::new();
    for v in &c.values {
        let unknown = unknown_refs(v);
        // An unknown inside a pattern (or a subject) decides what it admits;
        // an unknown compared for equality is one fixed value.
        if !unknown.is_empty() && (like || key.ends_with(":sub") || value_decides(key)) {
            refs.extend(unknown.into_iter().map(str::to_string));
            continue;
        }
        let canon = canonical(v, like);
        let canon = if ignore_case {
            canon.to_lowercase()
        } else {
            canon
        };
        set.insert(canon);
    }
    let everything = set.iter().any(|v| is_everything(&tokens(v, true)));
    Ok(match (op.negated, everything) {
        (false, true) => Span::Any,
        (true, true) => Span::Only(BTreeSet::new()),
        _ if !refs.is_empty() => return Err(refs),
        (false, false) => Span::Only(set),
        (true, false) => Span::Except(set),
    })
}

/// Keys whose value, not just its presence, decides whether the caller is
/// yours: an unknown value there leaves the verdict open.
fn value_decides(key: &str) -> bool {
    matches!(
        key,
        "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:principalaccount"
            | "aws:principalarn"
            | "aws:sourceaccount"
            | "aws:sourcearn"
            | "aws:sourceorgid"
            | "aws:sourceorgpaths"
    )
}

/// Evaluates one condition for one kind of request.
fn evaluate(
    c: &Condition,
    op: Op,
    req: &Request,
    for_deny: bool,
) -> Result<Outcome, BTreeSet<String>> {
    let key_refs = unknown_refs(&c.key);
    if !key_refs.is_empty() {
        return Err(key_refs.into_iter().map(str::to_string).collect());
    }
    let key = c.key.to_ascii_lowercase();
    let presence = req.presence(&key);
    if op.family == Family::Null {
        // `true`: the key must be absent; `false`: present. Values are OR-ed.
        let want_absent = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        let want_present = c.values.iter().any(|v| v.eq_ignore_ascii_case("false"));
        return Ok(match (presence, want_absent, want_present) {
            (_, true, true) => Outcome::True,
            (_, false, false) => Outcome::False,
            (Presence::Always, _, present) | (Presence::Never, present, _) => {
                if present {
                    Outcome::True
                } else {
                    Outcome::False
                }
            }
            (Presence::Maybe, true, false) => Outcome::Absent { key },
            (Presence::Maybe, false, true) => Outcome::Test {
                key,
                values: Span::Any,
                absent: false,
            },
        });
    }
    // Without the key: IfExists and ForAllValues hold, ForAnyValue fails,
    // otherwise a negated operator holds and a positive one fails.
    let when_absent = if op.if_exists {
        true
    } else {
        match op.set {
            Some(SetOperator::ForAllValues) => true,
            Some(SetOperator::ForAnyValue) => false,
            None => op.negated,
        }
    };
    if presence == Presence::Never {
        return Ok(if when_absent {
            Outcome::True
        } else {
            Outcome::False
        });
    }
    let values = match op.family {
        Family::String { .. } | Family::Arn => present_span(op, c, &key)?,
        Family::Bool => {
            let set: BTreeSet<String> = c.values.iter().map(|v| v.to_ascii_lowercase()).collect();
            if set.contains("true") && set.contains("false") {
                Span::Any
            } else {
                Span::Only(set)
            }
        }
        _ => {
            if c.values.is_empty() {
                if op.negated {
                    Span::Any
                } else {
                    Span::Only(BTreeSet::new())
                }
            } else {
                let refs: BTreeSet<String> = c
                    .values
                    .iter()
                    .flat_map(|v| unknown_refs(v))
                    .map(str::to_string)
                    .collect();
                if !refs.is_empty() {
                    return Err(refs);
                }
                let text = format!("{} {}", c.operator.base, c.values.join(", "));
                if presence == Presence::Maybe && when_absent && !for_deny {
                    return Ok(Outcome::True);
                }
                return Ok(Outcome::Other { key, text });
            }
        }
    };
    if let Some(known) = req.known_value(&key) {
        // The value every such request has: the condition is decided.
        let holds = match &values {
            Span::Any => true,
            Span::Only(v) => v.iter().any(|p| pattern_matches(p, known)),
            Span::Except(v) => !v.iter().any(|p| pattern_matches(p, known)),
            Span::Unresolved(_) => return Ok(Outcome::True),
        };
        return Ok(if holds { Outcome::True } else { Outcome::False });
    }
    if values.is_empty() {
        // No value can satisfy it: only a request without the key passes.
        return Ok(match (presence, when_absent) {
            (Presence::Maybe, true) => Outcome::Absent { key },
            _ => Outcome::False,
        });
    }
    if presence == Presence::Maybe && when_absent {
        if for_deny {
            return Ok(Outcome::Test {
                key,
                values,
                absent: true,
            });
        }
        // The caller can leave the key out (no organisation, no external id,
        // long-term keys without MFA context): the condition admits all.
        return Ok(Outcome::True);
    }
    Ok(match values {
        Span::Any if presence == Presence::Always => Outcome::True,
        values => Outcome::Test {
            key,
            values,
            absent: false,
        },
    })
}

/// The condition a Deny statement's single condition leaves standing:
/// requests it does not match, as an Allow condition for `req`.
fn negate(o: Outcome, req: &Request) -> Outcome {
    let negated = match o {
        Outcome::True => Outcome::False,
        Outcome::False => Outcome::True,
        Outcome::Test {
            key,
            values,
            absent,
        } => {
            let values = match values {
                Span::Any => Span::Only(BTreeSet::new()),
                Span::Only(v) if v.is_empty() => Span::Any,
                Span::Only(v) => Span::Except(v),
                Span::Except(v) => Span::Only(v),
                Span::Unresolved(r) => Span::Unresolved(r),
            };
            match (values.is_empty(), absent) {
                // Denied with the key whatever its value, and without it: all.
                (true, true) => Outcome::False,
                (true, false) => Outcome::Absent { key },
                (false, a) => Outcome::Test {
                    key,
                    values,
                    absent: !a,
                },
            }
        }
        Outcome::Absent { key } => Outcome::Test {
            key,
            values: Span::Any,
            absent: false,
        },
        Outcome::Other { key, text } => Outcome::Other {
            key,
            text: format!("not ({text})"),
        },
    };
    // As for an Allow: a key the caller may leave out, that passes when left out, admits all.
    match negated {
        Outcome::Test {
            key, absent: true, ..
        } if req.presence(&key) == Presence::Maybe => Outcome::True,
        Outcome::Test {
            key,
            values: Span::Any,
            ..
        } if req.presence(&key) == Presence::Always => Outcome::True,
        other => other,
    }
}

// ------------------------------------------------------------ descriptions

/// Who one statement admits through one principal: the normalised grant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "caller", rename_all = "snake_case")]
pub enum Admitted {
    /// Nobody can use it, and why.
    Nobody { why: String },
    /// Identities with AWS credentials.
    Aws {
        /// Account ids (or patterns) the caller may be in.
        accounts: Span,
        /// Organisation ids the caller's account must belong to (`aws:PrincipalOrgID`).
        organizations: Span,
        /// Organisation paths (`aws:PrincipalOrgPaths`).
        org_paths: Span,
        /// The identities: principal ARNs (or `aws:PrincipalArn` patterns); `Any` is
        /// every role and user of the accounts.
        identities: Span,
        /// `sts:ExternalId` values the caller must present.
        external_id: Span,
        /// `aws:MultiFactorAuthPresent` must be true.
        mfa: bool,
        /// Other keys the request must satisfy.
        other: BTreeMap<String, Span>,
    },
    /// An AWS service acting for a resource.
    Service {
        /// The service principal, or `*` for any.
        service: String,
        source_accounts: Span,
        source_arns: Span,
        source_orgs: Span,
        other: BTreeMap<String, Span>,
    },
    /// Holders of a web identity token.
    WebIdentity {
        issuer: String,
        subjects: Span,
        audiences: Span,
        other: BTreeMap<String, Span>,
    },
    /// Holders of a SAML assertion.
    Saml {
        provider: String,
        audiences: Span,
        other: BTreeMap<String, Span>,
    },
}

/// A condition written like scope that narrows nothing here (TD007).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Defeat {
    /// Index of the statement it is written in (an Allow, or a Deny carve-out).
    pub statement: usize,
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    pub why: String,
}

/// A condition whose effect rests on values not known statically (TD012).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unresolved {
    pub statement: usize,
    pub operator: String,
    pub key: String,
    pub refs: Vec<String>,
}

/// One principal's admission through one Allow statement, for one kind of request.
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    pub admitted: Admitted,
    pub defeats: Vec<Defeat>,
    pub unresolved: Vec<Unresolved>,
}

impl Admission {
    /// Whether the admission narrows rests on a value not known before
    /// apply (TD012 speaks for it; the other rules wait).
    pub fn undecided(&self) -> bool {
        !self.unresolved.is_empty() || self.admitted.is_unresolved()
    }
}

/// What the organisation is, from the policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organization {
    pub id: Option<String>,
    pub accounts: BTreeSet<String>,
}

/// Keys AWS documents as narrowing who gets in (DOMAIN §2.1).
fn is_narrowing_key(key: &str) -> bool {
    matches!(
        key,
        "sts:externalid"
            | "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:principalaccount"
            | "aws:principalarn"
            | "aws:sourceaccount"
            | "aws:sourcearn"
            | "aws:sourceorgid"
            | "aws:sourceorgpaths"
            | "aws:multifactorauthpresent"
            | "saml:aud"
    ) || web_identity_key(key).is_some()
}

/// AWS: wildcards in these keys' values have no valid use.
fn is_sensitive_key(key: &str) -> bool {
    matches!(
        key,
        "aws:principalaccount" | "aws:principalorgid" | "aws:sourceaccount" | "aws:sourceorgid"
    )
}

/// The request kinds a principal makes (a `"*"` principal: AWS callers and services).
pub fn requests(principal: &Principal, class: &PrincipalClass) -> Vec<Request> {
    match class {
        PrincipalClass::Everyone if principal.kind == PrincipalType::Star => {
            vec![Request::Aws, Request::Service]
        }
        PrincipalClass::Everyone => vec![Request::Aws],
        PrincipalClass::Service { .. } => vec![Request::Service],
        PrincipalClass::OidcProvider { host, .. } | PrincipalClass::WebIdentity { host } => {
            vec![Request::WebIdentity {
                issuer: host.to_ascii_lowercase(),
            }]
        }
        PrincipalClass::Saml { .. } => vec![Request::Saml],
        PrincipalClass::Account { .. }
        | PrincipalClass::Role { .. }
        | PrincipalClass::AssumedRole { .. }
        | PrincipalClass::User { .. }
        | PrincipalClass::FederatedUser { .. }
        | PrincipalClass::OtherIam { .. }
        | PrincipalClass::UniqueId => vec![Request::Aws],
        PrincipalClass::CanonicalUser
        | PrincipalClass::Unknown { .. }
        | PrincipalClass::Unrecognised => Vec::new(),
    }
}

/// Why IAM refuses a trust document, per statement; empty when it accepts it.
pub fn refusals(statements: &[Statement]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for s in statements {
        if s.not_principals.is_some() {
            out.push((
                s.index,
                "NotPrincipal is not allowed in a role trust policy; IAM refuses the document"
                    .to_string(),
            ));
        }
        for p in s.principals.iter().flatten() {
            if p.kind == PrincipalType::CanonicalUser {
                out.push((
                    s.index,
                    format!(
                        "CanonicalUser \"{}\" cannot be a principal of a role trust policy; IAM refuses the document",
                        p.id
                    ),
                ));
            } else if p.id != "*"
                && (p.id.contains('*') || p.id.contains('?'))
                && unknown_refs(&p.id).is_empty()
            {
                out.push((
                    s.index,
                    format!(
                        "{} principal \"{}\" has a wildcard inside it; IAM accepts \"*\" only as the whole principal and refuses the document",
                        p.kind.as_str(),
                        p.id
                    ),
                ));
            }
        }
        for c in &s.conditions {
            if let Err(why) = parse_op(c) {
                out.push((s.index, why));
            }
        }
    }
    out
}

/// The identity a principal names, as an ARN when it has one.
fn principal_identity(principal: &Principal, class: &PrincipalClass) -> Span {
    match class {
        PrincipalClass::Everyone | PrincipalClass::Account { .. } => Span::Any,
        _ => Span::Only(BTreeSet::from([principal.id.clone()])),
    }
}

/// Evaluates `statement` for `principal` making `req`, with `denies` (the
/// Deny statements that apply to the principal) subtracted.
pub fn admit(
    statement: &Statement,
    principal: &Principal,
    class: &PrincipalClass,
    req: &Request,
    denies: &[&Statement],
) -> Admission {
    let mut defeats = Vec::new();
    let mut unresolved = Vec::new();
    let nobody = |why: String, defeats, unresolved| Admission {
        admitted: Admitted::Nobody { why },
        defeats,
        unresolved,
    };
    let action = req.action();
    if !statement.assume_actions().contains(&action) {
        return nobody(
            format!(
                "the statement does not allow {action}, the only action this principal can use"
            ),
            defeats,
            unresolved,
        );
    }
    let mut tests: Vec<Outcome> = Vec::new();
    for c in &statement.conditions {
        let Ok(op) = parse_op(c) else {
            return nobody(unknown_operator(c), defeats, unresolved);
        };
        match evaluate(c, op, req, false) {
            // An unknown on a key that decides who gets in leaves the verdict
            // open; on another key it narrows by something not known yet.
            Err(refs)
                if is_narrowing_key(&c.key.to_ascii_lowercase())
                    || !unknown_refs(&c.key).is_empty() =>
            {
                unresolved.push(Unresolved {
                    statement: statement.index,
                    operator: c.operator.text.clone(),
                    key: c.key.clone(),
                    refs: refs.into_iter().collect(),
                })
            }
            Err(refs) => tests.push(Outcome::Other {
                key: c.key.to_ascii_lowercase(),
                text: format!(
                    "{} (depends on {})",
                    c.operator.base,
                    refs.into_iter().collect::<Vec<_>>().join(", ")
                ),
            }),
            Ok(Outcome::False) => {
                return nobody(
                    format!(
                        "the condition {} {} can never hold for {}",
                        c.operator.text,
                        c.key,
                        describe_request(req)
                    ),
                    defeats,
                    unresolved,
                );
            }
            Ok(outcome) => {
                let key = c.key.to_ascii_lowercase();
                if is_narrowing_key(&key) {
                    if let Some(why) = defeated(c, op, &outcome, req) {
                        defeats.push(Defeat {
                            statement: statement.index,
                            operator: c.operator.text.clone(),
                            key: c.key.clone(),
                            values: c.values.clone(),
                            why,
                        });
                    }
                }
                tests.push(outcome);
            }
        }
    }
    for deny in denies {
        match deny_outcome(deny, req) {
            DenyEffect::All => {
                return nobody(
                    format!("statement {} denies it", deny.index),
                    defeats,
                    unresolved,
                );
            }
            DenyEffect::Leaves(o) => tests.push(o),
            DenyEffect::Nothing => {}
            DenyEffect::Defeated(d) => defeats.push(d),
        }
    }
    let admitted = describe(principal, class, req, tests);
    Admission {
        admitted,
        defeats,
        unresolved,
    }
}

/// Why a condition written as scope does not narrow, if it does not.
fn defeated(c: &Condition, op: Op, outcome: &Outcome, req: &Request) -> Option<String> {
    let key = c.key.to_ascii_lowercase();
    if op.negated {
        return Some(format!(
            "{} allows every value except the ones listed",
            c.operator.text
        ));
    }
    match outcome {
        Outcome::True => {
            if op.if_exists && req.presence(&key) == Presence::Maybe {
                Some(format!(
                    "{} is true when the request has no {} at all",
                    c.operator.text, c.key
                ))
            } else if op.set == Some(SetOperator::ForAllValues) {
                Some(format!(
                    "ForAllValues: is true when the request has no {} at all",
                    c.key
                ))
            } else if let Some(v) = c.values.iter().find(|v| is_everything(&tokens(v, true))) {
                Some(format!("the value \"{v}\" matches anything"))
            } else {
                Some(format!(
                    "a request may leave {} out, and then the condition holds",
                    c.key
                ))
            }
        }
        Outcome::Test {
            values: Span::Any, ..
        } => c
            .values
            .iter()
            .find(|v| is_everything(&tokens(v, true)))
            .map(|v| format!("the value \"{v}\" matches anything")),
        Outcome::Test {
            values: Span::Only(vs),
            ..
        } => {
            let wild = vs.iter().find(|v| pattern_is_wild(v));
            if let Some(v) = wild.filter(|_| is_sensitive_key(&key)) {
                return Some(format!(
                    "the value \"{v}\" is a wildcard, which AWS says has no valid use in {}",
                    c.key
                ));
            }
            if key == "aws:principalorgpaths" || key == "aws:sourceorgpaths" {
                if let Some(v) = vs.iter().find(|v| {
                    tokens(v.split('/').next().unwrap_or(v), true)
                        .iter()
                        .any(|t| matches!(t, Tok::Star | Tok::One))
                }) {
                    return Some(format!(
                        "the path \"{v}\" does not fix the organisation, so it matches any organisation's"
                    ));
                }
            }
            if key == "aws:principalarn" || key == "aws:sourcearn" {
                for v in vs {
                    match arn_parts(v) {
                        Some((account, _)) if pattern_is_wild(&account) => {
                            return Some(format!(
                                "the value \"{v}\" matches that name in any account"
                            ));
                        }
                        None if pattern_is_wild(v) => {
                            return Some(format!(
                                "the value \"{v}\" is not an ARN pattern that fixes the account"
                            ));
                        }
                        _ => {}
                    }
                }
            }
            None
        }
        _ => None,
    }
}

enum DenyEffect {
    /// Denies every request of this kind.
    All,
    /// Denies none.
    Nothing,
    /// Leaves standing only the requests this outcome admits.
    Leaves(Outcome),
    /// A carve-out that never applies (`StringNotEquals … "*"`).
    Defeated(Defeat),
}

fn deny_outcome(deny: &Statement, req: &Request) -> DenyEffect {
    if !deny.assume_actions().contains(&req.action()) {
        return DenyEffect::Nothing;
    }
    let mut live = Vec::new();
    for c in &deny.conditions {
        let Ok(op) = parse_op(c) else {
            return DenyEffect::Nothing;
        };
        match evaluate(c, op, req, true) {
            Ok(Outcome::True) => {}
            Ok(Outcome::False) => {
                if op.negated
                    && c.values.iter().any(|v| is_everything(&tokens(v, true)))
                    && is_narrowing_key(&c.key.to_ascii_lowercase())
                {
                    return DenyEffect::Defeated(Defeat {
                        statement: deny.index,
                        operator: c.operator.text.clone(),
                        key: c.key.clone(),
                        values: c.values.clone(),
                        why: format!("the Deny's {} \"*\" never applies", c.operator.text),
                    });
                }
                return DenyEffect::Nothing;
            }
            Ok(o) => live.push(o),
            // What an unknown Deny removes is unknown: count it as removing nothing.
            Err(_) => return DenyEffect::Nothing,
        }
    }
    match live.len() {
        0 => DenyEffect::All,
        1 => live
            .pop()
            .map_or(DenyEffect::Nothing, |o| match negate(o, req) {
                Outcome::True => DenyEffect::Nothing,
                Outcome::False => DenyEffect::All,
                left => DenyEffect::Leaves(left),
            }),
        // "Deny unless A and B" is an OR of two exceptions; the conjunction
        // cannot say it, so the Deny is not subtracted (admits too much, never too little).
        _ => DenyEffect::Nothing,
    }
}

fn describe_request(req: &Request) -> String {
    match req {
        Request::Aws => "an AWS caller's sts:AssumeRole".to_string(),
        Request::Service => "a service's sts:AssumeRole".to_string(),
        Request::WebIdentity { issuer } => format!("a web identity token of {issuer}"),
        Request::Saml => "a SAML assertion".to_string(),
    }
}

/// ARN patterns' account fields (a pattern that is not an ARN: any account).
fn arn_accounts(patterns: &BTreeSet<String>) -> Span {
    let mut out = BTreeSet::new();
    for p in patterns {
        match arn_parts(p) {
            Some((account, _)) => out.insert(account),
            None => return Span::Any,
        };
    }
    Span::Only(out)
}

/// Folds the statement's outcomes into the description of who gets in.
fn describe(
    principal: &Principal,
    class: &PrincipalClass,
    req: &Request,
    tests: Vec<Outcome>,
) -> Admitted {
    let mut keys: BTreeMap<String, Span> = BTreeMap::new();
    for t in tests {
        let (key, span) = match t {
            Outcome::True | Outcome::False => continue,
            Outcome::Test { key, values, .. } => (key, values),
            // Only requests without a key the caller may leave out: the
            // caller leaves it out, and nothing about who they are is fixed.
            Outcome::Absent { .. } => continue,
            Outcome::Other { key, text } => (key, Span::Only(BTreeSet::from([text]))),
        };
        let merged = match keys.remove(&key) {
            Some(old) => old.and(span),
            None => span,
        };
        keys.insert(key, merged);
    }
    if let Some((key, _)) = keys.iter().find(|(_, s)| s.is_empty()) {
        return Admitted::Nobody {
            why: format!("no value of {key} satisfies every condition on it"),
        };
    }
    fn take(keys: &mut BTreeMap<String, Span>, k: &str) -> Span {
        keys.remove(k).unwrap_or(Span::Any)
    }
    match req {
        Request::Aws => {
            let mut accounts = match class {
                PrincipalClass::Everyone => Span::Any,
                PrincipalClass::UniqueId => {
                    Span::Unresolved(BTreeSet::from([principal.id.clone()]))
                }
                other => match other.account() {
                    Some(a) => Span::Only(BTreeSet::from([a.to_string()])),
                    None => Span::Any,
                },
            };
            let mut identities = principal_identity(principal, class);
            let principal_arn = take(&mut keys, "aws:principalarn");
            if let Span::Only(patterns) = &principal_arn {
                accounts = and_accounts(accounts, arn_accounts(patterns));
                identities = match identities {
                    Span::Only(ids) => Span::Only(
                        ids.into_iter()
                            .filter(|id| {
                                let value = principal_arn_value(id);
                                patterns
                                    .iter()
                                    .any(|p| arn_match(p, &value) || pattern_matches(p, &value))
                            })
                            .collect(),
                    ),
                    other => other.and(principal_arn.clone()),
                };
            } else {
                identities = identities.and(principal_arn);
            }
            accounts = and_accounts(accounts, take(&mut keys, "aws:principalaccount"));
            if accounts.is_empty() || identities.is_empty() {
                return Admitted::Nobody {
                    why: "the principal and the conditions on aws:PrincipalAccount / aws:PrincipalArn have no caller in common".to_string(),
                };
            }
            // MFA is required when only `true` passes (`Bool … true`, or a Deny
            // of `BoolIfExists … false`, which leaves "present and not false").
            let mfa = match take(&mut keys, "aws:multifactorauthpresent") {
                Span::Only(v) => v.len() == 1 && v.contains("true"),
                Span::Except(v) => v.len() == 1 && v.contains("false"),
                _ => false,
            };
            Admitted::Aws {
                accounts,
                organizations: take(&mut keys, "aws:principalorgid"),
                org_paths: take(&mut keys, "aws:principalorgpaths"),
                identities,
                external_id: take(&mut keys, "sts:externalid"),
                mfa,
                other: keys,
            }
        }
        Request::Service => {
            let service = match class {
                PrincipalClass::Service { name } => name.clone(),
                _ => "*".to_string(),
            };
            let source_arns = take(&mut keys, "aws:sourcearn");
            let mut source_accounts = take(&mut keys, "aws:sourceaccount");
            if let Span::Only(p) = &source_arns {
                source_accounts = and_accounts(source_accounts, arn_accounts(p));
            }
            let orgs =
                take(&mut keys, "aws:sourceorgid").and(take(&mut keys, "aws:sourceorgpaths"));
            Admitted::Service {
                service,
                source_accounts,
                source_arns,
                source_orgs: orgs,
                other: keys,
            }
        }
        Request::WebIdentity { issuer } => Admitted::WebIdentity {
            subjects: take(&mut keys, &format!("{issuer}:sub")),
            audiences: take(&mut keys, &format!("{issuer}:aud")),
            issuer: issuer.clone(),
            other: keys,
        },
        Request::Saml => Admitted::Saml {
            provider: principal.id.clone(),
            audiences: take(&mut keys, "saml:aud"),
            other: keys,
        },
    }
}

/// The `aws:PrincipalArn` a principal's requests carry: for a role session,
/// the role's ARN (DOMAIN §2.1), not the session's.
fn principal_arn_value(id: &str) -> String {
    if let Some(arn) = Arn::parse(id) {
        if arn.service == "sts" {
            if let Some(rest) = arn.resource.strip_prefix("assumed-role/") {
                let role = rest.split('/').next().unwrap_or(rest);
                return format!("arn:{}:iam::{}:role/{role}", arn.partition, arn.account);
            }
        }
    }
    id.to_string()
}

/// Accounts in both spans, where a pattern (`11111111111?`) keeps the
/// concrete account it matches.
fn and_accounts(a: Span, b: Span) -> Span {
    match (&a, &b) {
        (Span::Only(x), Span::Only(y)) => {
            let mut out = BTreeSet::new();
            for (one, other) in [(x, y), (y, x)] {
                for v in one {
                    // The role's own account, written as a reference, may be any id.
                    if other
                        .iter()
                        .any(|p| pattern_matches(p, v) || p == OWN_ACCOUNT)
                    {
                        out.insert(v.clone());
                    }
                }
            }
            if out.len() > 1 {
                out.remove(OWN_ACCOUNT);
            }
            Span::Only(out)
        }
        _ => a.and(b),
    }
}

// ---------------------------------------------------------------- queries

/// How far an axis reaches, in the organisation's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Only accounts (or organisations) that are yours.
    Own,
    /// Accounts outside, listed by id.
    Listed,
    /// Any account (or any organisation).
    Any,
    /// Cannot tell.
    Unknown,
}

impl Organization {
    /// Is `account` one of yours (`own` is the role's own accounts)?
    fn is_own(&self, account: &str, own: &BTreeSet<String>) -> Option<bool> {
        if account == OWN_ACCOUNT {
            return Some(true);
        }
        if own.is_empty() && self.accounts.is_empty() {
            return None;
        }
        Some(own.contains(account) || self.accounts.contains(account))
    }

    /// Do these `aws:PrincipalOrgID` values scope to this organisation?
    /// Without an id in the policy, any fixed id is taken as the organisation's.
    pub fn org_ids_reach(&self, ids: &Span) -> Reach {
        match ids {
            Span::Any | Span::Except(_) => Reach::Any,
            Span::Unresolved(_) => Reach::Unknown,
            Span::Only(v) => {
                if v.iter().any(|i| pattern_is_wild(i)) {
                    Reach::Any
                } else if self.id.as_ref().is_none_or(|id| v.iter().all(|i| i == id)) {
                    Reach::Own
                } else {
                    Reach::Listed
                }
            }
        }
    }

    /// Do these `aws:PrincipalOrgPaths` patterns stay inside the organisation?
    pub fn org_paths_reach(&self, paths: &Span) -> Reach {
        match paths {
            Span::Any | Span::Except(_) => Reach::Any,
            Span::Unresolved(_) => Reach::Unknown,
            Span::Only(v) => {
                let mut reach = Reach::Own;
                for p in v {
                    let org = p.split('/').next().unwrap_or(p);
                    if pattern_is_wild(org) {
                        return Reach::Any;
                    }
                    if self.id.as_ref().is_some_and(|id| id != org) {
                        reach = Reach::Listed;
                    }
                }
                reach
            }
        }
    }

    /// Which accounts an account span reaches.
    pub fn accounts_reach(&self, accounts: &Span, own: &BTreeSet<String>) -> Reach {
        match accounts {
            Span::Any | Span::Except(_) => Reach::Any,
            Span::Unresolved(_) => Reach::Unknown,
            Span::Only(v) => {
                let mut reach = Reach::Own;
                for a in v {
                    if a != OWN_ACCOUNT && pattern_is_wild(a) {
                        return Reach::Any;
                    }
                    if a != OWN_ACCOUNT && !is_account_id(a) {
                        if !unknown_refs(a).is_empty() {
                            reach = reach.max(Reach::Unknown);
                        }
                        // Otherwise no account has that id: it admits nobody.
                        continue;
                    }
                    match self.is_own(a, own) {
                        Some(true) => {}
                        Some(false) => reach = reach.max(Reach::Listed),
                        None => reach = reach.max(Reach::Unknown),
                    }
                }
                reach
            }
        }
    }
}

impl Admitted {
    /// The AWS caller admission is narrowed to your organisation (by id, by
    /// path, or by accounts that are all yours).
    pub fn inside_organization(&self, org: &Organization, own: &BTreeSet<String>) -> bool {
        let Admitted::Aws {
            accounts,
            organizations,
            org_paths,
            ..
        } = self
        else {
            return false;
        };
        org.accounts_reach(accounts, own) == Reach::Own
            || org.org_ids_reach(organizations) == Reach::Own
            || org.org_paths_reach(org_paths) == Reach::Own
    }

    /// Which accounts an AWS caller admission reaches (`Reach::Own` for others).
    pub fn account_reach(&self, org: &Organization, own: &BTreeSet<String>) -> Reach {
        match self {
            Admitted::Aws { accounts, .. } => org.accounts_reach(accounts, own),
            _ => Reach::Own,
        }
    }

    /// `aws:PrincipalArn` (or the principal) names identities in fixed accounts.
    pub fn names_identities(&self) -> bool {
        let Admitted::Aws { identities, .. } = self else {
            return false;
        };
        identities.only().is_some_and(|ids| {
            !ids.is_empty()
                && ids.iter().all(|i| match arn_parts(i) {
                    Some((account, resource)) => {
                        !pattern_is_wild(&account) && !is_everything(&tokens(&resource, true))
                    }
                    None => false,
                })
        })
    }

    /// The identities are narrowed below "every role and user" of the
    /// accounts (the account part may be a wildcard: the accounts say which).
    pub fn narrows_identities(&self) -> bool {
        let Admitted::Aws { identities, .. } = self else {
            return false;
        };
        identities.only().is_some_and(|ids| {
            !ids.is_empty()
                && ids.iter().all(|i| match arn_parts(i) {
                    Some((_, resource)) => !is_everything(&tokens(&resource, true)),
                    None => !is_everything(&tokens(i, true)),
                })
        })
    }

    /// The value span of a condition key in this admission (lower-case key),
    /// so a policy's `requires` can be checked.
    pub fn key_span(&self, key: &str) -> Span {
        let key = key.to_ascii_lowercase();
        match self {
            Admitted::Nobody { .. } => Span::Only(BTreeSet::new()),
            Admitted::Aws {
                organizations,
                org_paths,
                identities,
                external_id,
                mfa,
                other,
                accounts,
            } => match key.as_str() {
                "sts:externalid" => external_id.clone(),
                "aws:principalorgid" => organizations.clone(),
                "aws:principalorgpaths" => org_paths.clone(),
                "aws:principalarn" => identities.clone(),
                "aws:principalaccount" => accounts.clone(),
                "aws:multifactorauthpresent" if *mfa => {
                    Span::Only(BTreeSet::from(["true".to_string()]))
                }
                _ => other.get(&key).cloned().unwrap_or(Span::Any),
            },
            Admitted::Service {
                source_accounts,
                source_arns,
                source_orgs,
                other,
                ..
            } => match key.as_str() {
                "aws:sourceaccount" => source_accounts.clone(),
                "aws:sourcearn" => source_arns.clone(),
                "aws:sourceorgid" | "aws:sourceorgpaths" => source_orgs.clone(),
                _ => other.get(&key).cloned().unwrap_or(Span::Any),
            },
            Admitted::WebIdentity {
                issuer,
                subjects,
                audiences,
                other,
            } => {
                if key == format!("{issuer}:sub") {
                    subjects.clone()
                } else if key == format!("{issuer}:aud") {
                    audiences.clone()
                } else {
                    other.get(&key).cloned().unwrap_or(Span::Any)
                }
            }
            Admitted::Saml {
                audiences, other, ..
            } => {
                if key == "saml:aud" {
                    audiences.clone()
                } else {
                    other.get(&key).cloned().unwrap_or(Span::Any)
                }
            }
        }
    }

    /// Is a key narrowed to listed values (not a wildcard that admits all)?
    pub fn key_pinned(&self, key: &str) -> bool {
        self.key_span(key)
            .only()
            .is_some_and(|v| !v.is_empty() && v.iter().all(|x| !is_everything(&tokens(x, true))))
    }

    /// Some value rests on something unknown before apply.
    pub fn is_unresolved(&self) -> bool {
        self.named_spans()
            .iter()
            .any(|(_, s)| matches!(s, Span::Unresolved(_)))
    }

    /// The spans of this kind of caller's named axes (not its `other`
    /// condition keys), each with its name.
    pub fn named_spans(&self) -> Vec<(&'static str, &Span)> {
        match self {
            Admitted::Nobody { .. } => Vec::new(),
            Admitted::Aws {
                accounts,
                organizations,
                org_paths,
                identities,
                external_id,
                ..
            } => vec![
                ("accounts", accounts),
                ("organizations", organizations),
                ("org_paths", org_paths),
                ("identities", identities),
                ("external_id", external_id),
            ],
            Admitted::Service {
                source_accounts,
                source_arns,
                source_orgs,
                ..
            } => vec![
                ("source_accounts", source_accounts),
                ("source_arns", source_arns),
                ("source_orgs", source_orgs),
            ],
            Admitted::WebIdentity {
                subjects,
                audiences,
                ..
            } => vec![("subjects", subjects), ("audiences", audiences)],
            Admitted::Saml { audiences, .. } => vec![("audiences", audiences)],
        }
    }

    /// The same, with the values of a sensitive policy replaced by how many there are.
    pub fn redacted(&self) -> Admitted {
        fn hide(s: &Span) -> Span {
            let count = |v: &BTreeSet<String>| BTreeSet::from([format!("({} sensitive)", v.len())]);
            match s {
                Span::Only(v) => Span::Only(count(v)),
                Span::Except(v) => Span::Except(count(v)),
                other => other.clone(),
            }
        }
        let hide_all = |m: &BTreeMap<String, Span>| -> BTreeMap<String, Span> {
            m.iter().map(|(k, v)| (k.clone(), hide(v))).collect()
        };
        match self {
            Admitted::Nobody { why } => Admitted::Nobody { why: why.clone() },
            Admitted::Aws {
                accounts,
                organizations,
                org_paths,
                identities,
                external_id,
                mfa,
                other,
            } => Admitted::Aws {
                accounts: accounts.clone(),
                organizations: hide(organizations),
                org_paths: hide(org_paths),
                identities: identities.clone(),
                external_id: hide(external_id),
                mfa: *mfa,
                other: hide_all(other),
            },
            Admitted::Service {
                service,
                source_accounts,
                source_arns,
                source_orgs,
                other,
            } => Admitted::Service {
                service: service.clone(),
                source_accounts: hide(source_accounts),
                source_arns: hide(source_arns),
                source_orgs: hide(source_orgs),
                other: hide_all(other),
            },
            Admitted::WebIdentity {
                issuer,
                subjects,
                audiences,
                other,
            } => Admitted::WebIdentity {
                issuer: issuer.clone(),
                subjects: hide(subjects),
                audiences: hide(audiences),
                other: hide_all(other),
            },
            Admitted::Saml {
                provider,
                audiences,
                other,
            } => Admitted::Saml {
                provider: provider.clone(),
                audiences: hide(audiences),
                other: hide_all(other),
            },
        }
    }

    /// In a reviewer's words: "any role or user in 999988887777 with
    /// sts:ExternalId = c0ffee".
    pub fn describe(&self, sensitive: bool) -> String {
        if sensitive {
            return self.redacted().describe(false);
        }
        let show = |s: &Span| -> String {
            match s {
                Span::Any => "anything".to_string(),
                Span::Only(v) => v.iter().cloned().collect::<Vec<_>>().join(" or "),
                Span::Except(v) => format!(
                    "anything but {}",
                    v.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
                Span::Unresolved(r) => format!(
                    "(unknown: {})",
                    r.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            }
        };
        let mut out = String::new();
        let extras = |out: &mut String, other: &BTreeMap<String, Span>| {
            for (k, v) in other {
                if !v.is_any() {
                    let _ = write!(out, " with {k} = {}", show(v));
                }
            }
        };
        match self {
            Admitted::Nobody { why } => {
                let _ = write!(out, "nobody: {why}");
            }
            Admitted::Aws {
                accounts,
                organizations,
                org_paths,
                identities,
                external_id,
                mfa,
                other,
            } => {
                let who = match identities {
                    Span::Any => "any role or user".to_string(),
                    Span::Only(ids) => ids
                        .iter()
                        .map(|i| identity_words(i))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    ids => format!("any identity whose ARN is {}", show(ids)),
                };
                let _ = match accounts {
                    Span::Any => write!(out, "{who} in any account"),
                    Span::Only(a) if a.len() == 1 && a.contains(OWN_ACCOUNT) => {
                        write!(out, "{who} in its own account")
                    }
                    a => write!(out, "{who} in {}", show(a)),
                };
                if !organizations.is_any() {
                    let _ = write!(out, " of organisation {}", show(organizations));
                }
                if !org_paths.is_any() {
                    let _ = write!(out, " under {}", show(org_paths));
                }
                if !external_id.is_any() {
                    let _ = write!(out, " with sts:ExternalId = {}", show(external_id));
                }
                if *mfa {
                    out.push_str(" with MFA");
                }
                extras(&mut out, other);
            }
            Admitted::Service {
                service,
                source_accounts,
                source_arns,
                source_orgs,
                other,
            } => {
                let _ = if service == "*" {
                    write!(out, "any service")
                } else {
                    write!(out, "service {service}")
                };
                let _ = match (source_accounts, source_arns, source_orgs) {
                    (Span::Any, Span::Any, Span::Any) => {
                        write!(out, " for any account's resources")
                    }
                    _ => {
                        if !source_arns.is_any() {
                            let _ = write!(out, " for {}", show(source_arns));
                        } else if !source_accounts.is_any() {
                            let _ = write!(out, " for resources of {}", show(source_accounts));
                        }
                        if !source_orgs.is_any() {
                            let _ = write!(out, " of organisation {}", show(source_orgs));
                        }
                        Ok(())
                    }
                };
                extras(&mut out, other);
            }
            Admitted::WebIdentity {
                issuer,
                subjects,
                audiences,
                other,
            } => {
                let _ = match subjects {
                    Span::Any => write!(out, "any subject of {issuer}"),
                    s => write!(out, "subject {} of {issuer}", show(s)),
                };
                if !audiences.is_any() {
                    let _ = write!(out, " with aud = {}", show(audiences));
                }
                extras(&mut out, other);
            }
            Admitted::Saml {
                provider,
                audiences,
                other,
            } => {
                let _ = write!(out, "any user of {provider}");
                if !audiences.is_any() {
                    let _ = write!(out, " with SAML:aud = {}", show(audiences));
                }
                extras(&mut out, other);
            }
        }
        out
    }
}

/// `role deploy`, `any role matching deploy-*`, `session deploy/ci`.
fn identity_words(id: &str) -> String {
    let Some((_, resource)) = arn_parts(id) else {
        return id.to_string();
    };
    let (kind, name) = match resource.split_once('/') {
        Some(("role", n)) => ("role", n),
        Some(("user", n)) => ("user", n),
        Some(("assumed-role", n)) => ("session", n),
        Some(("federated-user", n)) => ("federated user", n),
        _ => return resource,
    };
    if is_everything(&tokens(name, true)) {
        format!("any {kind}")
    } else if pattern_is_wild(name) {
        format!("any {kind} matching {name}")
    } else {
        format!("{kind} {name}")
    }
}

/// Does Deny statement `deny` apply to `principal`?
pub fn deny_covers(deny: &Statement, principal: &Principal) -> bool {
    deny.effect == Effect::Deny
        && deny.principals.as_ref().is_some_and(|ps| {
            ps.iter().any(|p| {
                matches!(p.classify(), PrincipalClass::Everyone)
                    || p.normalized() == principal.normalized()
            })
        })
}

#[cfg(test)]
mod tests;
