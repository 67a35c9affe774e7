//! IAM policy documents parsed semantically: string-or-list everywhere,
//! `Principal: "*"` kept distinct from `{"AWS": "*"}`, conditions as
//! (operator, key, values).

use std::fmt;

use serde::Serialize;
use serde_json::Value as J;

use super::principal::Principal;

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// Keys written twice in one object (`{"AWS": "*", "AWS": "…"}`). How IAM
    /// reads such a document is not documented, so both readings are judged:
    /// `statements` holds every Allow statement of either reading, and only
    /// the Deny statements both readings agree on (the wider admitted set).
    pub duplicates: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the document's `Statement` list.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principals: Option<Vec<Principal>>,
    pub not_principals: Option<Vec<Principal>>,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    /// `Resource` as written (string or list), empty when absent.
    pub resources: Vec<String>,
    /// `NotResource` as written, empty when absent.
    pub not_resources: Vec<String>,
    pub conditions: Vec<Condition>,
    /// The statement as written, for showing it to a reviewer: its JSON
    /// text as `serde_json::to_string` writes it (keys sorted, no spaces),
    /// shared by every copy of the document. Text rather than a tree: a
    /// tree of a few objects takes kilobytes, and every role keeps one.
    pub raw: std::sync::Arc<str>,
}

/// A condition operator with its set and `IfExists` parts split out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Operator {
    /// As written: `ForAllValues:StringLikeIfExists`.
    pub text: String,
    pub set: Option<SetOperator>,
    /// `StringLike`.
    pub base: String,
    pub if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SetOperator {
    ForAnyValue,
    ForAllValues,
}

impl Operator {
    pub fn parse(text: &str) -> Operator {
        let (set, rest) = if let Some(r) = strip_prefix_ci(text, "ForAnyValue:") {
            (Some(SetOperator::ForAnyValue), r)
        } else if let Some(r) = strip_prefix_ci(text, "ForAllValues:") {
            (Some(SetOperator::ForAllValues), r)
        } else {
            (None, text)
        };
        let (base, if_exists) = match rest.len().checked_sub(8) {
            Some(cut)
                if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") =>
            {
                (&rest[..cut], true)
            }
            _ => (rest, false),
        };
        Operator {
            text: text.to_string(),
            set,
            base: base.to_string(),
            if_exists,
        }
    }

    fn base_is(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.base.eq_ignore_ascii_case(n))
    }

    /// Operators that allow only the listed values (or patterns).
    pub fn is_positive_match(&self) -> bool {
        self.base_is(&[
            "StringEquals",
            "StringEqualsIgnoreCase",
            "StringLike",
            "ArnEquals",
            "ArnLike",
            "Bool",
        ])
    }

    /// Operators that allow everything except the listed values.
    pub fn is_negated(&self) -> bool {
        self.base_is(&[
            "StringNotEquals",
            "StringNotEqualsIgnoreCase",
            "StringNotLike",
            "ArnNotEquals",
            "ArnNotLike",
        ])
    }

    /// Operators whose values are patterns (`*` and `?` are wildcards).
    pub fn has_wildcards(&self) -> bool {
        self.base_is(&[
            "StringLike",
            "StringNotLike",
            "ArnEquals",
            "ArnLike",
            "ArnNotEquals",
            "ArnNotLike",
        ])
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Condition {
    pub operator: Operator,
    /// As written; compare with [`Condition::key_is`] (keys are case-insensitive).
    pub key: String,
    /// Strings, with booleans and numbers written as JSON writes them.
    pub values: Vec<String>,
}

impl Condition {
    pub fn key_is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

/// Why a policy string is not a valid IAM policy document (TD901).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError {
        message: message.into(),
    })
}

impl PolicyDocument {
    /// Parses a policy JSON string.
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
        // One reading when no key is written twice (the usual case), the
        // same document as the careful read gives; both readings otherwise.
        match super::json::parse_unless_duplicated(text) {
            Ok(Some(json)) => PolicyDocument::from_value(json),
            Ok(None) => PolicyDocument::parse_carefully(text),
            Err(e) => err(format!("not JSON: {e}")),
        }
    }

    /// [`PolicyDocument::parse`] reading the text both ways whether or not a
    /// key is written twice: the fuzz target holds the quick path to it.
    #[cfg(any(test, fuzzing))]
    pub fn parse_careful(text: &str) -> Result<PolicyDocument, PolicyError> {
        PolicyDocument::parse_carefully(text)
    }

    fn parse_carefully(text: &str) -> Result<PolicyDocument, PolicyError> {
        let both = match super::json::parse_both_ways(text) {
            Ok(b) => b,
            Err(e) => {
                let full = e.to_string();
                return err(format!("not JSON: {full}"));
            }
        };
        if both.duplicates.is_empty() {
            return PolicyDocument::from_json(&both.last);
        }
        let mut doc = match (
            PolicyDocument::from_json(&both.last),
            PolicyDocument::from_json(&both.first),
        ) {
            (Ok(last), Ok(first)) => last.with_reading(first),
            (Ok(one), Err(_)) | (Err(_), Ok(one)) => one,
            (Err(e), Err(_)) => return Err(e),
        };
        doc.duplicates = both.duplicates.iter().map(|d| d.to_string()).collect();
        Ok(doc)
    }

    /// This reading joined with `other`, another reading of the same text:
    /// every Allow statement of either, the Deny statements of both.
    fn with_reading(mut self, other: PolicyDocument) -> PolicyDocument {
        let deny_in_other = |s: &Statement| other.statements.iter().any(|o| o == s);
        self.statements
            .retain(|s| s.effect == Effect::Allow || deny_in_other(s));
        for o in other.statements {
            if o.effect == Effect::Allow && !self.statements.contains(&o) {
                self.statements.push(o);
            }
        }
        self.statements.sort_by_key(|s| s.index);
        self
    }

    pub fn from_json(json: &J) -> Result<PolicyDocument, PolicyError> {
        PolicyDocument::from_value(json.clone())
    }

    /// [`PolicyDocument::from_json`] taking the tree: each statement becomes
    /// its `raw` without a copy.
    fn from_value(json: J) -> Result<PolicyDocument, PolicyError> {
        let J::Object(mut top) = json else {
            return err("a policy document must be a JSON object");
        };
        let (version, id) = PolicyDocument::header(&top)?;
        let statements = match top.remove("Statement") {
            None => return err("no \"Statement\" element"),
            Some(J::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, s)| Statement::from_value(i, s))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ J::Object(_)) => vec![Statement::from_value(0, single)?],
            Some(_) => return err("\"Statement\" must be an object or a list of objects"),
        };
        Ok(PolicyDocument {
            version,
            id,
            statements,
            duplicates: Vec::new(),
        })
    }

    /// `Version` and `Id`, every top-level key known, the version one IAM
    /// reads.
    fn header(
        top: &serde_json::Map<String, J>,
    ) -> Result<(Option<String>, Option<String>), PolicyError> {
        let mut version = None;
        let mut id = None;
        for (k, v) in top {
            match k.as_str() {
                "Version" => version = Some(expect_string(v, "Version")?),
                "Id" => id = Some(expect_string(v, "Id")?),
                "Statement" => {}
                other => return err(format!("unknown top-level element \"{other}\"")),
            }
        }
        if let Some(v) = &version {
            if v != "2012-10-17" && v != "2008-10-17" {
                return err(format!("Version \"{v}\" is not 2012-10-17 or 2008-10-17"));
            }
        }
        Ok((version, id))
    }
}

impl Statement {
    /// The one web identity issuer this statement's condition keys name
    /// (`token.actions.githubusercontent.com` for
    /// `token.actions.githubusercontent.com:sub`), lower case; `None` when
    /// they name none, several, or one only known after apply. STS evaluates
    /// a provider's claim keys only against that provider's tokens.
    pub fn issuer_named_by_keys(&self) -> Option<String> {
        let mut hosts = self.conditions.iter().filter_map(|c| {
            if !super::value::unknown_refs(&c.key).is_empty() {
                return None;
            }
            let (host, _claim) = c.key.rsplit_once(':')?;
            host.contains('.').then(|| host.to_ascii_lowercase())
        });
        let issuer = hosts.next()?;
        hosts.all(|h| h == issuer).then_some(issuer)
    }

    fn from_value(index: usize, json: J) -> Result<Statement, PolicyError> {
        let mut s = Statement::read(index, &json)?;
        s.raw = std::sync::Arc::from(json.to_string());
        Ok(s)
    }

    /// The statement, its `raw` left empty.
    fn read(index: usize, json: &J) -> Result<Statement, PolicyError> {
        let J::Object(obj) = json else {
            return err(format!("statement {index} is not an object"));
        };
        let at = |m: String| format!("statement {index}: {m}");
        let mut s = Statement {
            index,
            sid: None,
            effect: Effect::Allow,
            principals: None,
            not_principals: None,
            actions: Vec::new(),
            not_actions: Vec::new(),
            resources: Vec::new(),
            not_resources: Vec::new(),
            conditions: Vec::new(),
            raw: std::sync::Arc::from(""),
        };
        let mut effect = None;
        for (k, v) in obj {
            match k.as_str() {
                "Sid" => {
                    s.sid = Some(expect_string(v, "Sid").map_err(|e| PolicyError {
                        message: at(e.message),
                    })?)
                }
                "Effect" => {
                    effect = Some(match v.as_str() {
                        Some("Allow") => Effect::Allow,
                        Some("Deny") => Effect::Deny,
                        _ => {
                            return err(at(format!(
                                "Effect must be \"Allow\" or \"Deny\" (IAM compares it case-sensitively and refuses the document), not {v}"
                            )));
                        }
                    })
                }
                "Principal" => {
                    s.principals = Some(principals(v).map_err(|e| PolicyError {
                        message: at(e.message),
                    })?)
                }
                "NotPrincipal" => {
                    s.not_principals = Some(principals(v).map_err(|e| PolicyError {
                        message: at(e.message),
                    })?)
                }
                "Action" => {
                    s.actions = string_or_list(v, "Action").map_err(|e| PolicyError {
                        message: at(e.message),
                    })?
                }
                "NotAction" => {
                    s.not_actions = string_or_list(v, "NotAction").map_err(|e| PolicyError {
                        message: at(e.message),
                    })?
                }
                "Resource" => {
                    s.resources = string_or_list(v, "Resource").map_err(|e| PolicyError {
                        message: at(e.message),
                    })?
                }
                "NotResource" => {
                    s.not_resources = string_or_list(v, "NotResource").map_err(|e| PolicyError {
                        message: at(e.message),
                    })?
                }
                "Condition" => {
                    s.conditions = conditions(v).map_err(|e| PolicyError {
                        message: at(e.message),
                    })?
                }
                other => return err(at(format!("unknown element \"{other}\""))),
            }
        }
        let Some(effect) = effect else {
            return err(at("no \"Effect\"".to_string()));
        };
        s.effect = effect;
        if s.actions.is_empty() && s.not_actions.is_empty() {
            return err(at("no \"Action\" or \"NotAction\"".to_string()));
        }
        Ok(s)
    }

    /// Does this statement allow (or deny) any of the role-assuming STS actions?
    pub fn covers_assume(&self) -> bool {
        ASSUME_ACTIONS.iter().any(|a| self.names_action(a))
    }

    /// The statement's `Action` names `action` (with `NotAction`, does not
    /// exclude it).
    fn names_action(&self, action: &str) -> bool {
        if self.not_actions.is_empty() {
            self.actions.iter().any(|p| wildcard_match(p, action, true))
        } else {
            !self
                .not_actions
                .iter()
                .any(|p| wildcard_match(p, action, true))
        }
    }

    /// The role-assuming actions this statement names (or, with `NotAction`,
    /// does not exclude), as `sts:` action names.
    pub fn assume_actions(&self) -> Vec<&'static str> {
        ASSUME_ACTIONS
            .iter()
            .copied()
            .filter(|a| self.names_action(a))
            .collect()
    }
}

/// The STS actions that let a principal become the role.
pub const ASSUME_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

fn expect_string(v: &J, what: &str) -> Result<String, PolicyError> {
    match v {
        J::String(s) => Ok(s.clone()),
        _ => err(format!("{what} must be a string, not {v}")),
    }
}

fn string_or_list(v: &J, what: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        J::String(s) => Ok(vec![s.clone()]),
        J::Array(items) => items
            .iter()
            .map(|i| match i {
                J::String(s) => Ok(s.clone()),
                _ => err(format!("{what} entries must be strings, not {i}")),
            })
            .collect(),
        _ => err(format!(
            "{what} must be a string or a list of strings, not {v}"
        )),
    }
}

fn principals(v: &J) -> Result<Vec<Principal>, PolicyError> {
    match v {
        J::String(s) if s == "*" => Ok(vec![Principal::everyone()]),
        J::String(s) => err(format!("Principal must be \"*\" or an object, not \"{s}\"")),
        J::Object(map) => {
            let mut out = Vec::new();
            for (kind, ids) in map {
                let Some(kind) = super::principal::PrincipalType::from_key(kind) else {
                    return err(format!(
                        "unknown principal type \"{kind}\" (expected AWS, Service, Federated or CanonicalUser)"
                    ));
                };
                for id in string_or_list(ids, &format!("Principal.{}", kind.as_str()))? {
                    out.push(Principal::new(kind, id));
                }
            }
            if out.is_empty() {
                return err("Principal names no principal");
            }
            Ok(out)
        }
        _ => err(format!("Principal must be \"*\" or an object, not {v}")),
    }
}

fn conditions(v: &J) -> Result<Vec<Condition>, PolicyError> {
    let J::Object(ops) = v else {
        return err(format!("Condition must be an object, not {v}"));
    };
    let mut out = Vec::new();
    for (op, keys) in ops {
        let J::Object(keys) = keys else {
            return err(format!(
                "Condition.{op} must be an object of keys, not {keys}"
            ));
        };
        let operator = Operator::parse(op);
        for (key, values) in keys {
            let values = match values {
                J::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?,
                other => vec![scalar(other)?],
            };
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn scalar(v: &J) -> Result<String, PolicyError> {
    match v {
        J::String(s) => Ok(s.clone()),
        J::Bool(b) => Ok(b.to_string()),
        J::Number(n) => Ok(n.to_string()),
        _ => err(format!(
            "condition values must be strings, booleans or numbers, not {v}"
        )),
    }
}

/// IAM wildcard match: `*` any run, `?` one character. Actions compare
/// case-insensitively; most condition values do not.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        // No wildcard: character for character (ASCII case folding changes
        // no other byte of UTF-8).
        return if ignore_case {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
    }
    if pattern.is_ascii() && text.is_ascii() {
        return matches_wildcards(pattern.as_bytes(), text.as_bytes(), |a, b| {
            if ignore_case {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        });
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches_wildcards(&p, &t, |a: char, b: char| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    })
}

/// A character of a pattern: `*`, `?`, or one to compare.
trait PatternChar: Copy + PartialEq {
    const STAR: Self;
    const ONE: Self;
}

impl PatternChar for char {
    const STAR: char = '*';
    const ONE: char = '?';
}

impl PatternChar for u8 {
    const STAR: u8 = b'*';
    const ONE: u8 = b'?';
}

/// [`wildcard_match`] over characters (or ASCII bytes).
fn matches_wildcards<C: PatternChar>(p: &[C], t: &[C], eq: impl Fn(C, C) -> bool) -> bool {
    // Iterative matcher with single backtrack point: linear in practice, no recursion.
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while let Some(&tc) = t.get(ti) {
        match p.get(pi) {
            Some(&pc) if pc == C::ONE || (pc != C::STAR && eq(pc, tc)) => {
                pi += 1;
                ti += 1;
            }
            Some(&pc) if pc == C::STAR => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            _ => {
                if let Some(s) = star {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                } else {
                    return false;
                }
            }
        }
    }
    while p.get(pi) == Some(&C::STAR) {
        pi += 1;
    }
    pi == p.len()
}

/// A value made only of wildcards (`*`, `**`, `?*`): it matches anything.
pub fn is_all_wildcard(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c == '*' || c == '?') && value.contains('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_the_one_the_condition_keys_name() {
        let issuer = |conditions: &str| {
            let doc = PolicyDocument::parse(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{{"Federated":"x"}},"Condition":{conditions}}}]}}"#
            ))
            .expect("policy");
            doc.statements[0].issuer_named_by_keys()
        };
        assert_eq!(
            issuer(
                r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:a/*","Token.Actions.GitHubUserContent.com:aud":"sts.amazonaws.com"}}"#
            ),
            Some("token.actions.githubusercontent.com".to_string())
        );
        // Near misses: two issuers, no issuer, an issuer only known after apply.
        assert_eq!(
            issuer(
                r#"{"StringEquals":{"gitlab.com:sub":"x","token.actions.githubusercontent.com:sub":"y"}}"#
            ),
            None
        );
        assert_eq!(
            issuer(r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#),
            None
        );
        assert_eq!(
            issuer(r#"{"StringEquals":{"${var.issuer}:sub":"x"}}"#),
            None
        );
    }

    #[test]
    fn operators_split_into_parts() {
        let op = Operator::parse("ForAllValues:StringLikeIfExists");
        assert_eq!(op.set, Some(SetOperator::ForAllValues));
        assert_eq!(op.base, "StringLike");
        assert!(op.if_exists);
        let op = Operator::parse("StringEquals");
        assert_eq!(
            (op.set, op.base.as_str(), op.if_exists),
            (None, "StringEquals", false)
        );
    }

    /// The matcher as first written, over characters.
    fn wildcard_reference(pattern: &str, text: &str, ignore_case: bool) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        let eq = |a: char, b: char| {
            if ignore_case {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        };
        let (mut pi, mut ti) = (0usize, 0usize);
        let (mut star, mut mark) = (None::<usize>, 0usize);
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some(pi);
                mark = ti;
                pi += 1;
            } else if let Some(s) = star {
                pi = s + 1;
                mark += 1;
                ti = mark;
            } else {
                return false;
            }
        }
        while pi < p.len() && p[pi] == '*' {
            pi += 1;
        }
        pi == p.len()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4096, ..Default::default() })]

        #[test]
        fn wildcards_match_as_first_written(
            pattern in "[aAbB*?\u{e9}\u{c9}:]{0,8}",
            text in "[aAbB*?\u{e9}\u{c9}:]{0,8}",
            ignore_case: bool,
        ) {
            proptest::prop_assert_eq!(
                wildcard_match(&pattern, &text, ignore_case),
                wildcard_reference(&pattern, &text, ignore_case)
            );
        }
    }

    #[test]
    fn wildcards_match_like_iam() {
        assert!(wildcard_match(
            "sts:AssumeRole*",
            "sts:AssumeRoleWithSAML",
            true
        ));
        assert!(wildcard_match("sts:*", "sts:AssumeRole", true));
        assert!(wildcard_match("*", "sts:AssumeRole", true));
        assert!(wildcard_match("STS:assumerole", "sts:AssumeRole", true));
        assert!(!wildcard_match(
            "sts:AssumeRole",
            "sts:AssumeRoleWithSAML",
            true
        ));
        assert!(wildcard_match("repo:org/*", "repo:org/app:ref:x", false));
        assert!(!wildcard_match("repo:Org/*", "repo:org/app", false));
        assert!(wildcard_match("a?c", "abc", false));
    }

    #[test]
    fn string_or_list_everywhere() {
        let doc = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012","Service":["a.amazonaws.com","b.amazonaws.com"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}}"#,
        )
        .expect("valid");
        let s = &doc.statements[0];
        assert_eq!(s.principals.as_ref().map(Vec::len), Some(3));
        assert_eq!(s.conditions[0].values, vec!["true"]);
        assert_eq!(s.assume_actions(), vec!["sts:AssumeRole"]);
    }

    #[test]
    fn star_principal_forms_stay_distinct() {
        let a = PolicyDocument::parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#,
        )
        .expect("valid");
        let b = PolicyDocument::parse(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#).expect("valid");
        assert_ne!(a.statements[0].principals, b.statements[0].principals);
    }

    #[test]
    fn not_action_grants_what_it_does_not_exclude() {
        let d = PolicyDocument::parse(r#"{"Statement":[{"Effect":"Allow","Principal":"*","NotAction":"sts:AssumeRoleWith*"}]}"#).expect("valid");
        assert_eq!(d.statements[0].assume_actions(), vec!["sts:AssumeRole"]);
    }

    /// Near-valid documents: statement parts (some keys twice, some
    /// malformed) glued into documents, and fragments of JSON.
    fn documents() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let part = prop::sample::select(vec![
            r#""Effect":"Allow""#,
            r#""Effect":"Deny""#,
            r#""Effect":"allow""#,
            r#""Principal":"*""#,
            r#""Principal":{"AWS":"*"}"#,
            r#""Principal":{"AWS":"arn:aws:iam::1:root","AWS":"*"}"#,
            r#""Principal":{"AWS":["111122223333","arn:aws:iam::2:role/x"],"Service":"s.amazonaws.com"}"#,
            r#""Principal":{"Bogus":"x"}"#,
            r#""Action":"sts:AssumeRole""#,
            r#""Action":["sts:AssumeRole","sts:TagSession"]"#,
            r#""Action":[1]"#,
            r#""NotAction":"sts:AssumeRoleWith*""#,
            r#""Condition":{"StringEquals":{"sts:ExternalId":"x"}}"#,
            r#""Condition":{"StringEquals":{"sts:ExternalId":["x",1,true]},"Bool":{"aws:SecureTransport":false}}"#,
            r#""Condition":{"StringEquals":{"a":"1","a":"2"}}"#,
            r#""Condition":{"StringEquals":"x"}"#,
            r#""Sid":"s""#,
            r#""Sid":"sé"""#,
            r#""Resource":"*""#,
            r#""Extra":1"#,
        ]);
        let statement =
            prop::collection::vec(part, 0..6).prop_map(|v| format!("{{{}}}", v.join(",")));
        let top = prop::sample::select(vec![
            r#""Version":"2012-10-17""#,
            r#""Version":"2008-10-17""#,
            r#""Version":"2020-01-01""#,
            r#""Version":1"#,
            r#""Id":"i""#,
            r#""Id":"i","Id":"j""#,
            r#""Other":null"#,
            r#""Statement":[]"#,
        ]);
        (
            prop::collection::vec(statement, 0..4),
            prop::collection::vec(top, 0..3),
            0..4u8,
            0..200usize,
        )
            .prop_map(|(statements, tops, shape, cut)| {
                let mut parts: Vec<String> = tops.iter().map(|t| t.to_string()).collect();
                let list = statements.join(",");
                parts.push(match shape {
                    0 => format!(r#""Statement":[{list}]"#),
                    1 => format!(
                        r#""Statement":{}"#,
                        statements.first().map_or("{}", String::as_str)
                    ),
                    2 => format!(r#""Statement":[{list}],"Statement":[]"#),
                    _ => r#""Statement":"x""#.to_string(),
                });
                let doc = format!("{{{}}}", parts.join(","));
                // Now and then cut short, or wrapped as something else.
                match cut {
                    0..10 => doc.chars().take(cut * 7).collect(),
                    10 => format!("[{doc}]"),
                    11 => format!("{doc} x"),
                    _ => doc,
                }
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, ..Default::default() })]

        #[test]
        fn the_quick_read_is_the_careful_one(text in documents()) {
            proptest::prop_assert_eq!(PolicyDocument::parse(&text), PolicyDocument::parse_careful(&text));
        }
    }

    #[test]
    fn duplicates_read_both_ways_whichever_path() {
        for text in [
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root","AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}],"Version":"2012-10-17","Version":"2008-10-17"}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*","AWS":"*"},"Action":"sts:AssumeRole"}] x"#,
            r#"{"Statement":{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#,
        ] {
            assert_eq!(
                PolicyDocument::parse(text),
                PolicyDocument::parse_careful(text),
                "{text}"
            );
        }
        let d = PolicyDocument::parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root","AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        )
        .expect("valid");
        assert_eq!(d.duplicates.len(), 1);
        assert_eq!(d.statements.len(), 2);
    }

    #[test]
    fn malformed_documents_say_why() {
        assert!(PolicyDocument::parse("{not json").is_err());
        let e = PolicyDocument::parse(
            r#"{"Statement":[{"Effect":"Permit","Principal":"*","Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("Effect must be"), "{}", e.message);
        let e = PolicyDocument::parse(r#"{"Version":"2012-10-17"}"#).unwrap_err();
        assert_eq!(e.message, "no \"Statement\" element");
    }
}
