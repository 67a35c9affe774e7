//! Bedrock Regions and where cross-Region inference profiles route calls,
//! as versioned data (`profiles.tsv`, dated by the documents it was taken
//! from; DOMAIN §3.4, §3.5). Destinations are looked up per (prefix, model,
//! source Region), never computed; a model the table does not name falls
//! back to every destination seen for its prefix, and says so.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::policy::wildcard_match;

/// The table as shipped in the binary.
pub const PROFILES_TSV: &str = include_str!("profiles.tsv");

/// The `aws:RequestedRegion` value IAM sees when a global profile routes a
/// call to the Region-less global foundation model (DOMAIN §3.6).
pub const UNSPECIFIED: &str = "unspecified";

/// Profile id prefixes, each without its dot, longest first so that
/// `us-gov.` is tried before `us.`.
pub const PREFIXES: &[&str] = &[
    "us-gov", "global", "apac", "us", "eu", "jp", "au", "ca", "in",
];

/// A document the table was taken from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TableSource {
    /// Tag as in DOMAIN §0 (`BR-IPS`).
    pub tag: String,
    /// The date (or month) of the copy the rows come from.
    pub date: String,
    pub location: String,
}

/// Which partition a Region belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Partition {
    Commercial,
    GovCloud,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    prefix: String,
    /// Model id globs; `*` for every model.
    models: Vec<String>,
    sources: BTreeSet<String>,
    destinations: BTreeSet<String>,
    source_tag: String,
}

/// The parsed table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileTable {
    pub version: String,
    pub sources: Vec<TableSource>,
    pub regions: BTreeMap<String, Partition>,
    routes: Vec<Route>,
    /// Per prefix: every destination seen, and the source tags saying so.
    unions: BTreeMap<String, (BTreeSet<String>, String)>,
    /// Lines that could not be read (`line: why`); a test keeps it empty.
    pub errors: Vec<String>,
}

/// How sure a destination list is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A row for this model and source Region.
    Model,
    /// The model (or the source Region) is not in the table: every
    /// destination seen for the prefix, a superset (lower confidence).
    PrefixUnion,
}

/// Where calls of one inference profile may run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "reach", rename_all = "snake_case")]
pub enum Destinations {
    Known {
        /// Prefix without its dot (`eu`).
        prefix: String,
        regions: BTreeSet<String>,
        basis: Basis,
        /// The table's source tags for the rows used.
        sources: BTreeSet<String>,
    },
    /// The id starts with no prefix the table knows: where it routes is
    /// not known ("unknown reach", never silence).
    UnknownPrefix { id: String },
}

/// The shipped table, parsed once.
pub fn table() -> &'static ProfileTable {
    static TABLE: OnceLock<ProfileTable> = OnceLock::new();
    TABLE.get_or_init(|| ProfileTable::parse(PROFILES_TSV))
}

/// `(prefix, model id)` of a system-defined profile id, matching the
/// longest known prefix (model ids hold dots of their own).
pub fn split_profile_id(id: &str) -> Option<(&'static str, &str)> {
    PREFIXES.iter().find_map(|p| {
        let rest = id.strip_prefix(p)?.strip_prefix('.')?;
        Some((*p, rest))
    })
}

impl ProfileTable {
    pub fn parse(text: &str) -> ProfileTable {
        let mut t = ProfileTable::default();
        let mut sets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut models: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut errors = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let mut fail = |why: &str| errors.push(format!("profiles.tsv:{n}: {why}"));
            match cols.as_slice() {
                ["version", v] => t.version = v.to_string(),
                ["source", tag, date, location] => t.sources.push(TableSource {
                    tag: tag.to_string(),
                    date: date.to_string(),
                    location: location.to_string(),
                }),
                ["region", kind, name] => {
                    let p = match *kind {
                        "commercial" => Partition::Commercial,
                        "govcloud" => Partition::GovCloud,
                        _ => {
                            fail("partition must be commercial or govcloud");
                            continue;
                        }
                    };
                    t.regions.insert(name.to_string(), p);
                }
                ["set", name, regions] => match expand(regions, &sets, &t.regions) {
                    Ok(r) => {
                        sets.insert(name.to_string(), r);
                    }
                    Err(e) => fail(&e),
                },
                ["models", name, globs] => {
                    models.insert(
                        name.to_string(),
                        globs.split(' ').map(str::to_string).collect(),
                    );
                }
                ["route", prefix, group, src, dst, tag] => {
                    let globs = if *group == "*" {
                        vec!["*".to_string()]
                    } else if let Some(g) = models.get(*group) {
                        g.clone()
                    } else {
                        fail(&format!("no models group {group}"));
                        continue;
                    };
                    if !PREFIXES.contains(prefix) {
                        fail(&format!("unknown prefix {prefix}"));
                        continue;
                    }
                    match (
                        expand(src, &sets, &t.regions),
                        expand(dst, &sets, &t.regions),
                    ) {
                        (Ok(sources), Ok(destinations)) => t.routes.push(Route {
                            prefix: prefix.to_string(),
                            models: globs,
                            sources,
                            destinations,
                            source_tag: tag.to_string(),
                        }),
                        (Err(e), _) | (_, Err(e)) => fail(&e),
                    }
                }
                ["union", prefix, regions, tag] => {
                    if !PREFIXES.contains(prefix) {
                        fail(&format!("unknown prefix {prefix}"));
                        continue;
                    }
                    match expand(regions, &sets, &t.regions) {
                        Ok(r) => {
                            t.unions.insert(prefix.to_string(), (r, tag.to_string()));
                        }
                        Err(e) => fail(&e),
                    }
                }
                _ => fail("unknown row kind or wrong number of columns"),
            }
        }
        t.errors = errors;
        t
    }

    /// A Region Bedrock serves (commercial or GovCloud).
    pub fn is_region(&self, name: &str) -> bool {
        self.regions.contains_key(name)
    }

    /// Every commercial Region, sorted.
    pub fn commercial(&self) -> BTreeSet<String> {
        self.regions
            .iter()
            .filter(|(_, p)| **p == Partition::Commercial)
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// Every Region in the table plus [`UNSPECIFIED`]: what a Region
    /// pattern is expanded against.
    pub fn universe(&self) -> BTreeSet<String> {
        let mut all: BTreeSet<String> = self.regions.keys().cloned().collect();
        all.insert(UNSPECIFIED.to_string());
        all
    }

    /// The known Regions (and [`UNSPECIFIED`]) a Region pattern matches.
    pub fn regions_matching(&self, pattern: &str) -> BTreeSet<String> {
        self.universe()
            .into_iter()
            .filter(|r| wildcard_match(pattern, r, false))
            .collect()
    }

    /// Where calls of profile `id` made from `source` may run. `id` may end
    /// in a model glob (`eu.anthropic.*`); `source` may be a pattern (`*`).
    pub fn destinations(&self, id: &str, source: &str) -> Destinations {
        let Some((prefix, model)) = split_profile_id(id) else {
            return Destinations::UnknownPrefix { id: id.to_string() };
        };
        let mut regions = BTreeSet::new();
        let mut tags = BTreeSet::new();
        let model_is_pattern = model.contains(['*', '?']);
        let mut covered = !model_is_pattern && !source.contains(['*', '?']);
        let mut any_route = false;
        for r in self.routes.iter().filter(|r| r.prefix == prefix) {
            let model_hit = r.models.iter().any(|g| wildcard_match(g, model, false));
            if !model_hit {
                continue;
            }
            let source_hit = r.sources.iter().any(|s| wildcard_match(source, s, false));
            if source_hit {
                any_route = true;
                regions.extend(r.destinations.iter().cloned());
                tags.insert(r.source_tag.clone());
            }
        }
        if !any_route {
            covered = false;
        }
        if covered {
            return Destinations::Known {
                prefix: prefix.to_string(),
                regions,
                basis: Basis::Model,
                sources: tags,
            };
        }
        match self.unions.get(prefix) {
            Some((union, tag)) => Destinations::Known {
                prefix: prefix.to_string(),
                regions: union.clone(),
                basis: Basis::PrefixUnion,
                sources: tag.split(',').map(str::to_string).collect(),
            },
            None => Destinations::UnknownPrefix { id: id.to_string() },
        }
    }
}

/// Space-separated Regions and `@SET` references; `@COMMERCIAL` is every
/// commercial Region; `unspecified` is allowed as a destination.
fn expand(
    list: &str,
    sets: &BTreeMap<String, BTreeSet<String>>,
    regions: &BTreeMap<String, Partition>,
) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    for item in list.split(' ') {
        if let Some(name) = item.strip_prefix('@') {
            if name == "COMMERCIAL" {
                out.extend(
                    regions
                        .iter()
                        .filter(|(_, p)| **p == Partition::Commercial)
                        .map(|(r, _)| r.clone()),
                );
            } else {
                match sets.get(name) {
                    Some(s) => out.extend(s.iter().cloned()),
                    None => return Err(format!("no set {name}")),
                }
            }
        } else if regions.contains_key(item) || item == UNSPECIFIED {
            out.insert(item.to_string());
        } else {
            return Err(format!("{item} is not a Region of the table"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(d: Destinations) -> (BTreeSet<String>, Basis) {
        match d {
            Destinations::Known { regions, basis, .. } => (regions, basis),
            Destinations::UnknownPrefix { id } => panic!("unknown prefix for {id}"),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_shipped_table_parses_and_is_dated() {
        let t = table();
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        assert_eq!(t.version, "2026-12-01");
        let dates: Vec<(&str, &str)> = t
            .sources
            .iter()
            .map(|s| (s.tag.as_str(), s.date.as_str()))
            .collect();
        assert!(dates.contains(&("BR-IPS", "2025-12")));
        assert!(dates.contains(&("BM-DS", "2026-08-21")));
        assert_eq!(t.commercial().len(), 33);
        assert!(t.is_region("us-gov-west-1"));
        assert!(!t.is_region("us-east-9"));
        assert!(!t.is_region(UNSPECIFIED));
    }

    #[test]
    fn every_prefix_resolves_to_a_union() {
        let t = table();
        for p in PREFIXES {
            let (regions, basis) =
                known(t.destinations(&format!("{p}.vendor.unlisted-model-v1:0"), "*"));
            assert_eq!(basis, Basis::PrefixUnion, "{p}");
            assert!(!regions.is_empty(), "{p}");
        }
        let (global, _) = known(t.destinations(
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us-east-1",
        ));
        assert!(global.contains(UNSPECIFIED));
        assert!(global.contains("sa-east-1"));
        assert!(!global.contains("us-gov-west-1"));
    }

    #[test]
    fn prefixes_match_longest_first_and_never_count_dots() {
        assert_eq!(
            split_profile_id("us-gov.anthropic.claude-3-haiku-20240307-v1:0"),
            Some(("us-gov", "anthropic.claude-3-haiku-20240307-v1:0"))
        );
        assert_eq!(
            split_profile_id("us.deepseek.v3.2"),
            Some(("us", "deepseek.v3.2"))
        );
        assert_eq!(split_profile_id("usa.x"), None);
        assert_eq!(split_profile_id("anthropic.claude-v2"), None);
        let (gov, basis) = known(table().destinations(
            "us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us-gov-east-1",
        ));
        assert_eq!((gov, basis), (set(&["us-gov-west-1"]), Basis::Model));
        assert_eq!(
            table().destinations("mx.amazon.nova-lite-v1:0", "mx-central-1"),
            Destinations::UnknownPrefix {
                id: "mx.amazon.nova-lite-v1:0".to_string()
            }
        );
    }

    #[test]
    fn destinations_depend_on_the_source_region() {
        let t = table();
        let id = "us.anthropic.claude-3-haiku-20240307-v1:0";
        assert_eq!(
            known(t.destinations(id, "us-east-2")).0,
            set(&["us-east-1", "us-east-2", "us-west-2"])
        );
        assert_eq!(
            known(t.destinations(id, "us-west-2")).0,
            set(&["us-east-1", "us-west-2"])
        );
        let eu = known(t.destinations("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "eu-west-1"));
        assert_eq!(
            eu,
            (
                set(&[
                    "eu-central-1",
                    "eu-north-1",
                    "eu-south-1",
                    "eu-south-2",
                    "eu-west-1",
                    "eu-west-3"
                ]),
                Basis::Model
            )
        );
        // A source the model's rows do not list falls back to the prefix's union.
        let (_, basis) = known(t.destinations(id, "ca-central-1"));
        assert_eq!(basis, Basis::PrefixUnion);
        // Sonnet 4 and Sonnet 4.5 are told apart although one id starts like the other.
        let s4 = known(t.destinations("us.anthropic.claude-sonnet-4-20250514-v1:0", "us-west-1")).0;
        assert!(s4.contains("us-west-1") && !s4.contains("ca-central-1"));
    }

    #[test]
    fn region_patterns_expand_against_the_table() {
        let t = table();
        assert_eq!(
            t.regions_matching("eu-west-*"),
            set(&["eu-west-1", "eu-west-2", "eu-west-3"])
        );
        assert!(t.regions_matching("*").contains(UNSPECIFIED));
        assert!(t.regions_matching("nowhere-1").is_empty());
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let t = ProfileTable::parse(
            "region\tcommercial\tus-east-1\nroute\tus\t*\tus-east-9\tus-east-1\tX\nfoo\n",
        );
        assert_eq!(
            t.errors,
            vec![
                "profiles.tsv:2: us-east-9 is not a Region of the table".to_string(),
                "profiles.tsv:3: unknown row kind or wrong number of columns".to_string()
            ]
        );
    }
}
