use super::*;
use crate::model::policy::PolicyDocument;

const OWN: &str = "111122223333";

fn statements(policy: &str, json: &str) -> Vec<SourcedStatement> {
    let doc = PolicyDocument::parse(json).expect("test policy parses");
    doc.statements
        .into_iter()
        .map(|s| SourcedStatement {
            origin: Origin {
                policy: policy.to_string(),
                statement: s.index,
                location: Some(Location::new("main.tf", 10 + s.index as u32, 3)),
            },
            statement: s,
        })
        .collect()
}

fn reach(json: &str) -> BedrockReach {
    let s = statements("aws_iam_role_policy.invoke", json);
    bedrock_reach(&ReachInput {
        statements: &s,
        own_account: Some(OWN),
        ..ReachInput::default()
    })
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn restricted(regions: &[&str], profiles: Option<&[&str]>) -> BedrockRestrictions {
    BedrockRestrictions {
        allowed_regions: Some(set(regions)),
        allowed_profiles: profiles.map(set),
        ..BedrockRestrictions::default()
    }
}

#[test]
fn a_role_pinned_to_one_region_is_clean() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],
            "Resource":"arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"}]}"#,
    );
    assert_eq!(r.grants.len(), 2);
    assert!(
        r.grants
            .iter()
            .all(|g| g.regions.list() == vec!["eu-west-1"])
    );
    assert_eq!(r.grants[0].owner, Owner::Aws);
    assert_eq!(r.grants[0].cross_account, Some(false));
    let policy = restricted(&["eu-west-1"], None);
    assert!(regions_outside(&r, &policy).is_empty());
    assert!(profiles_not_allowed(&r, &policy).is_empty());
    assert!(any_region_grants(&r).is_empty());
    assert!(r.wildcard_actions.is_empty());
    assert!(r.unverifiable.is_empty());
    assert!(cross_region_profiles(&r).is_empty());
    assert_eq!(
        r.summary(),
        ReachSummary {
            actions: set(&[
                "bedrock:InvokeModel",
                "bedrock:InvokeModelWithResponseStream"
            ]),
            regions: set(&["eu-west-1"]),
            accounts: BTreeSet::new(),
            resources: set(&[
                "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
            ]),
        }
    );
}

#[test]
fn a_wildcard_region_foundation_model_reaches_any_region() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:*::foundation-model/*"}]}"#,
    );
    assert_eq!(r.grants.len(), 1);
    assert_eq!(r.grants[0].regions, Regions::Any);
    assert_eq!(any_region_grants(&r), vec![0]);
    let out = regions_outside(&r, &restricted(&["eu-west-1"], None));
    assert_eq!(out.len(), 1);
    assert!(out[0].unbounded);
    assert_eq!(r.summary().regions, set(&["*"]));
    // The statement and its place are what the rule points at.
    let via: Vec<&Origin> = r.grants[0].via.iter().collect();
    assert_eq!(via[0].policy, "aws_iam_role_policy.invoke");
    assert_eq!(via[0].location, Some(Location::new("main.tf", 10, 3)));
}

#[test]
fn a_requested_region_condition_bounds_a_wildcard_resource() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}"#,
    );
    assert_eq!(
        r.grants[0].regions.list(),
        vec!["eu-central-1", "eu-west-1"]
    );
    assert!(any_region_grants(&r).is_empty());
    let out = regions_outside(&r, &restricted(&["eu-west-1"], None));
    assert_eq!(out[0].regions, set(&["eu-central-1"]));
    // StringLike with a pattern, and IfExists, read alike.
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*",
            "Condition":{"StringLikeIfExists":{"aws:RequestedRegion":"eu-west-*"}}}]}"#,
    );
    assert_eq!(
        r.grants[0].regions.list(),
        vec!["eu-west-1", "eu-west-2", "eu-west-3"]
    );
}

#[test]
fn the_documented_global_profile_policy_needs_global_allowed() {
    let profile = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let json = format!(
        r#"{{"Statement":[
          {{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"{profile}",
            "Condition":{{"StringEquals":{{"aws:RequestedRegion":"us-east-1"}}}}}},
          {{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Condition":{{"StringEquals":{{"aws:RequestedRegion":"us-east-1","bedrock:InferenceProfileArn":"{profile}"}}}}}},
          {{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Condition":{{"StringEquals":{{"aws:RequestedRegion":"unspecified","bedrock:InferenceProfileArn":"{profile}"}}}}}}
        ]}}"#
    );
    let r = reach(&json);
    assert_eq!(r.grants.len(), 3);
    let p = r
        .grants
        .iter()
        .find_map(|g| g.profile.as_ref())
        .expect("the profile grant expands");
    assert_eq!(p.prefix.as_deref(), Some("global"));
    let Regions::Only(dest) = &p.destinations else {
        panic!("global destinations are listed: {:?}", p.destinations)
    };
    assert!(dest.contains("unspecified") && dest.contains("ap-southeast-2"));
    let global_fm = r
        .grants
        .iter()
        .find(|g| g.resource.starts_with("arn:aws:bedrock:::"))
        .expect("region-less grant");
    assert_eq!(global_fm.regions.list(), vec!["unspecified"]);
    assert!(global_fm.routed_via.is_some());

    let only_us_east_1 = restricted(&["us-east-1"], None);
    let flagged = profiles_not_allowed(&r, &only_us_east_1);
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].prefix.as_deref(), Some("global"));
    assert!(!regions_outside(&r, &only_us_east_1).is_empty());

    let with_global = restricted(&["us-east-1"], Some(&["global"]));
    assert!(profiles_not_allowed(&r, &with_global).is_empty());
    assert_eq!(regions_outside(&r, &with_global), Vec::new());
    assert!(any_region_grants(&r).is_empty());
}

#[test]
fn an_eu_profile_called_from_eu_west_1_names_its_other_destinations() {
    let r = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel",
           "Resource":"arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"},
          {"Effect":"Allow","Action":"bedrock:InvokeModel",
           "Resource":"arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
           "Condition":{"StringEquals":{"bedrock:InferenceProfileArn":"arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"}}}
        ]}"#,
    );
    let policy = restricted(&["eu-west-1"], Some(&["eu"]));
    let out = regions_outside(&r, &policy);
    // Both the profile's destinations and the routed model grant name the
    // same Regions, each through the profile; nothing is reached directly.
    assert_eq!(out.len(), 2);
    assert!(
        out.iter()
            .all(|o| o.through_profile.is_some() && !o.unbounded)
    );
    for o in &out {
        assert_eq!(
            o.regions,
            set(&[
                "eu-central-1",
                "eu-north-1",
                "eu-south-1",
                "eu-south-2",
                "eu-west-3"
            ])
        );
    }
    let through: BTreeSet<&str> = out
        .iter()
        .filter_map(|o| o.through_profile.as_deref())
        .collect();
    assert_eq!(
        through,
        BTreeSet::from([
            "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
        ])
    );
    // The routed-only model grant is bounded by the profile, not "any Region".
    let fm = r
        .grants
        .iter()
        .find(|g| g.resource_type == Some(ResourceType::FoundationModel))
        .expect("model grant");
    assert_eq!(fm.regions.list().len(), 6);
    assert!(any_region_grants(&r).is_empty());
    assert!(profiles_not_allowed(&r, &policy).is_empty());
    assert_eq!(cross_region_profiles(&r).len(), 1);
    assert_eq!(
        r.summary().regions,
        set(&[
            "eu-central-1",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-3"
        ])
    );
}

#[test]
fn bedrock_star_on_star_is_a_wildcard_action_on_any_region() {
    let r = reach(r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#);
    assert_eq!(
        r.grants
            .iter()
            .map(|g| g.action.as_str())
            .collect::<Vec<_>>(),
        INVOKE_ACTIONS.to_vec()
    );
    assert_eq!(r.wildcard_actions.len(), 1);
    assert_eq!(r.wildcard_actions[0].pattern, "bedrock:*");
    assert_eq!(r.wildcard_actions[0].actions.len(), INVOKE_ACTIONS.len());
    assert_eq!(any_region_grants(&r).len(), INVOKE_ACTIONS.len());
    // A named action is not a wildcard; NotAction is.
    let named = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#,
    );
    assert!(named.wildcard_actions.is_empty());
    let not = reach(
        r#"{"Statement":[{"Effect":"Allow","NotAction":"bedrock:InvokeAgent","Resource":"*"}]}"#,
    );
    assert_eq!(not.grants.len(), INVOKE_ACTIONS.len() - 1);
    assert_eq!(
        not.wildcard_actions[0].pattern,
        "NotAction: bedrock:InvokeAgent"
    );
    let invoke =
        reach(r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:Invoke*","Resource":"*"}]}"#);
    assert_eq!(
        invoke.wildcard_actions[0].actions,
        set(&[
            "bedrock:InvokeAgent",
            "bedrock:InvokeFlow",
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream"
        ])
    );
}

#[test]
fn a_permission_boundary_without_bedrock_removes_the_reach() {
    let identity = statements(
        "aws_iam_role_policy.invoke",
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#,
    );
    let boundary = statements(
        "aws_iam_policy.boundary",
        r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","logs:*"],"Resource":"*"}]}"#,
    );
    let r = bedrock_reach(&ReachInput {
        statements: &identity,
        boundary: Some(&boundary),
        own_account: Some(OWN),
        unresolved: Vec::new(),
    });
    assert!(r.is_empty());
    assert!(r.wildcard_actions.is_empty());
    // A boundary pinning a Region narrows the reach to it.
    let pin = statements(
        "aws_iam_policy.boundary",
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#,
    );
    let r = bedrock_reach(&ReachInput {
        statements: &identity,
        boundary: Some(&pin),
        own_account: Some(OWN),
        unresolved: Vec::new(),
    });
    assert_eq!(r.grants.len(), 1);
    assert_eq!(r.grants[0].action, "bedrock:InvokeModel");
    assert_eq!(r.grants[0].regions.list(), vec!["eu-west-1"]);
    assert_eq!(
        r.grants[0].via.iter().next().map(|o| o.policy.as_str()),
        Some("aws_iam_role_policy.invoke")
    );
}

#[test]
fn a_deny_outside_the_allowed_regions_leaves_them_only() {
    let r = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"},
          {"Effect":"Deny","Action":"*","Resource":"*",
           "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}
        ]}"#,
    );
    assert_eq!(
        r.grants[0].regions.list(),
        vec!["eu-central-1", "eu-west-1"]
    );
    let policy = restricted(&["eu-west-1", "eu-central-1"], None);
    assert!(regions_outside(&r, &policy).is_empty());
    assert!(any_region_grants(&r).is_empty());
    // The same Deny covers the models a profile routes to.
    let r = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"},
          {"Effect":"Deny","Action":"bedrock:*","Resource":"*",
           "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}
        ]}"#,
    );
    // Its routed calls are denied in eu-north-1 and the rest: the profile
    // call fails whole (DOMAIN §3.7), so it reaches nothing.
    assert!(r.grants.is_empty(), "{:?}", r.grants);
    assert!(regions_outside(&r, &policy).is_empty());
}

#[test]
fn a_deny_on_bedrock_star_removes_everything_and_a_conditional_one_removes_nothing_for_sure() {
    let r = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:*","Resource":"*"},
          {"Effect":"Deny","Action":"bedrock:*","Resource":"*"}
        ]}"#,
    );
    assert!(r.is_empty());
    let r = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"},
          {"Effect":"Deny","Action":"bedrock:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}
        ]}"#,
    );
    assert_eq!(r.grants.len(), 1);
    // A Deny naming one Region takes only that one.
    let r = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:eu-*::foundation-model/*"},
          {"Effect":"Deny","Action":"bedrock:InvokeModel","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-2"}}}
        ]}"#,
    );
    let regions = r.grants[0].regions.list();
    assert!(
        regions.contains(&"eu-west-1".to_string()) && !regions.contains(&"eu-west-2".to_string())
    );
}

#[test]
fn not_resource_and_resource_types_decide_what_is_granted() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","NotResource":"arn:aws:bedrock:*::foundation-model/meta.*"}]}"#,
    );
    assert_eq!(r.grants.len(), 1);
    assert_eq!(r.grants[0].resource, "*");
    assert_eq!(
        r.grants[0].excluding,
        vec!["arn:aws:bedrock:*::foundation-model/meta.*"]
    );
    // InvokeAgent acts on agent aliases only; RetrieveAndGenerate on `*` only.
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":["bedrock:InvokeAgent","bedrock:RetrieveAndGenerate","bedrock:InvokeModel"],
            "Resource":["arn:aws:bedrock:eu-west-1:111122223333:agent-alias/A1/B2","arn:aws:s3:::bucket/*"]}]}"#,
    );
    assert_eq!(
        r.grants
            .iter()
            .map(|g| g.action.as_str())
            .collect::<Vec<_>>(),
        vec!["bedrock:InvokeAgent"]
    );
}

#[test]
fn another_accounts_resources_are_cross_account() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":["arn:aws:bedrock:eu-west-1:999988887777:application-inference-profile/abc",
                        "arn:aws:bedrock:eu-west-1:111122223333:provisioned-model/p1"]}]}"#,
    );
    let cross: Vec<&InvocationGrant> = r
        .grants
        .iter()
        .filter(|g| g.cross_account == Some(true))
        .collect();
    assert_eq!(cross.len(), 1);
    assert_eq!(cross[0].owner, Owner::Account("999988887777".to_string()));
    assert_eq!(r.summary().accounts, set(&["111122223333", "999988887777"]));
    assert_eq!(
        accounts_outside(&r, &BedrockRestrictions::default()).len(),
        1
    );
    let allowed = BedrockRestrictions {
        allowed_accounts: Some(set(&["999988887777", "111122223333"])),
        ..BedrockRestrictions::default()
    };
    assert!(accounts_outside(&r, &allowed).is_empty());
    // The application profile's routes are not known: said, not dropped.
    assert!(
        r.unverifiable
            .iter()
            .any(|u| u.reason.contains("application inference profile abc"))
    );
}

#[test]
fn unknown_values_and_prefixes_cannot_be_verified() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":["arn:aws:bedrock:${var.region}::foundation-model/x",
                        "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/xx.amazon.nova-lite-v1:0"]}]}"#,
    );
    assert!(
        r.unverifiable
            .iter()
            .any(|u| u.reason.contains("var.region"))
    );
    assert!(
        r.unverifiable
            .iter()
            .any(|u| u.reason.contains("no prefix the Region table knows"))
    );
    let unknown = r
        .grants
        .iter()
        .find(|g| g.resource.contains("var.region"))
        .expect("grant kept");
    assert!(matches!(unknown.regions, Regions::Unknown(_)));
    let profile = r
        .grants
        .iter()
        .find_map(|g| g.profile.as_ref())
        .expect("profile");
    assert!(matches!(profile.destinations, Regions::Unknown(_)));
    let s = statements(
        "p",
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#,
    );
    let r = bedrock_reach(&ReachInput {
        statements: &s,
        unresolved: vec![
            "aws_iam_role_policy_attachment.x: policy_arn not known before apply".into(),
        ],
        ..ReachInput::default()
    });
    assert_eq!(r.unverifiable.len(), 1);
    assert_eq!(r.grants[0].cross_account, None);
}

#[test]
fn a_model_missing_from_the_table_falls_back_to_the_prefix_union() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":"arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.vendor.new-model-v9"}]}"#,
    );
    let p = r.grants[0].profile.as_ref().expect("profile");
    assert_eq!(p.basis, Some(Basis::PrefixUnion));
    assert!(p.destinations.list().contains(&"il-central-1".to_string()));
}

#[test]
fn widening_names_what_was_added() {
    let before = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:eu-west-1::foundation-model/*"}]}"#,
    )
    .summary();
    let after = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":["arn:aws:bedrock:eu-west-1::foundation-model/*",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
            "arn:aws:bedrock:eu-west-1:999988887777:custom-model-deployment/d1"]}]}"#,
    )
    .summary();
    let w = widened_by(&before, &after);
    assert_eq!(w.regions, set(&["us-east-1"]));
    assert_eq!(w.accounts, set(&["999988887777"]));
    assert_eq!(
        w.resources,
        set(&[
            "arn:aws:bedrock:eu-west-1:999988887777:custom-model-deployment/d1",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
        ])
    );
    assert!(w.actions.is_empty());
    assert!(widened_by(&after, &before).is_empty());
    assert!(widened_by(&after, &after).is_empty());
    let any = reach(r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#)
        .summary();
    let w = widened_by(&after, &any);
    assert_eq!(w.regions, set(&["*"]));
    assert_eq!(w.resources, set(&["*"]));
    assert_eq!(w.actions.len(), INVOKE_ACTIONS.len() - 1);
    // The summary round-trips through JSON, as a baseline stores it.
    let text = serde_json::to_string(&after).expect("serialise");
    let back: ReachSummary = serde_json::from_str(&text).expect("read back");
    assert_eq!(back, after);
}

#[test]
fn models_outside_the_allowed_globs() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
                        "arn:aws:bedrock:eu-west-1::foundation-model/meta.llama3-2-1b-instruct-v1:0",
                        "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"]}]}"#,
    );
    let policy = BedrockRestrictions {
        allowed_models: Some(vec!["anthropic.*".to_string()]),
        ..BedrockRestrictions::default()
    };
    let out: Vec<&str> = models_outside(&r, &policy)
        .into_iter()
        .map(|i| r.grants[i].model.as_str())
        .collect();
    assert_eq!(out, vec!["meta.llama3-2-1b-instruct-v1:0"]);
}

#[test]
fn output_is_deterministic_whatever_the_statement_order() {
    let a = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:us-east-1::foundation-model/b"},
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:eu-west-1::foundation-model/a"}]}"#,
    );
    let b = reach(
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:eu-west-1::foundation-model/a"},
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:us-east-1::foundation-model/b"}]}"#,
    );
    assert_eq!(a.summary(), b.summary());
    let names = |r: &BedrockReach| {
        r.grants
            .iter()
            .map(|g| g.resource.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b));
}

#[test]
fn a_region_the_table_does_not_know_is_kept_not_dropped() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-east-7"]}}}]}"#,
    );
    assert_eq!(r.grants[0].regions.list(), vec!["eu-east-7", "eu-west-1"]);
    let out = regions_outside(&r, &restricted(&["eu-west-1"], None));
    assert_eq!(out[0].regions, set(&["eu-east-7"]));
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":"${var.region}"}}}]}"#,
    );
    assert!(matches!(r.grants[0].regions, Regions::Unknown(_)));
    assert!(
        r.unverifiable
            .iter()
            .any(|u| u.reason.contains("var.region"))
    );
}

#[test]
fn condition_operator_forms_bound_regions_as_iam_reads_them() {
    let regions = |cond: &str| {
        let r = reach(&format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*","Condition":{cond}}}]}}"#
        ));
        r.grants.first().map(|g| g.regions.clone())
    };
    assert_eq!(
        regions(r#"{"ForAnyValue:StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#),
        Some(Regions::Only(set(&["eu-west-1"])))
    );
    assert_eq!(
        regions(r#"{"StringEqualsIgnoreCase":{"AWS:requestedregion":"EU-WEST-1"}}"#),
        Some(Regions::Only(set(&["eu-west-1"])))
    );
    // "Anywhere but" is not a bound a reviewer can list.
    let except = regions(r#"{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}"#);
    assert!(except.as_ref().is_some_and(Regions::is_unbounded));
    assert_eq!(except.map(|r| r.list()), Some(vec!["*".to_string()]));
    // Two conditions on the key: both hold.
    assert_eq!(
        regions(
            r#"{"StringLike":{"aws:RequestedRegion":"eu-*"},"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}"#
        ),
        Some(Regions::Only(set(&["eu-west-1"])))
    );
    // A Region that never matches leaves nothing granted.
    assert_eq!(regions(r#"{"Null":{"aws:RequestedRegion":"true"}}"#), None);
}

#[test]
fn only_a_required_inference_profile_arn_makes_a_grant_routed_only() {
    let routed = |op: &str| {
        let r = reach(&format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:*::foundation-model/*",
                "Condition":{{"{op}":{{"bedrock:InferenceProfileArn":"arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.*"}}}}}}]}}"#
        ));
        (
            r.grants[0].routed_via.is_some(),
            r.grants[0].regions.clone(),
        )
    };
    let (is_routed, regions) = routed("ArnLike");
    assert!(is_routed);
    assert_eq!(
        regions,
        Regions::Only(set(&[
            "ca-central-1",
            "ca-west-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2"
        ]))
    );
    // IfExists and negated operators also pass direct calls: no bound.
    assert_eq!(routed("ArnLikeIfExists"), (false, Regions::Any));
    assert_eq!(routed("ArnNotLike"), (false, Regions::Any));
}

#[test]
fn a_model_in_a_region_its_condition_never_allows_is_not_granted() {
    let r = reach(
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":["arn:aws:bedrock:us-east-1::foundation-model/x","arn:aws:bedrock:eu-west-1::foundation-model/x"],
            "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#,
    );
    assert_eq!(
        r.grants
            .iter()
            .map(|g| g.resource.as_str())
            .collect::<Vec<_>>(),
        vec!["arn:aws:bedrock:eu-west-1::foundation-model/x"]
    );
}

#[test]
fn two_boundary_statements_join_into_one_grant() {
    let identity = statements(
        "aws_iam_role_policy.invoke",
        r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#,
    );
    let boundary = statements(
        "aws_iam_policy.boundary",
        r#"{"Statement":[
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
          {"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-central-1"}}}]}"#,
    );
    let r = bedrock_reach(&ReachInput {
        statements: &identity,
        boundary: Some(&boundary),
        own_account: Some(OWN),
        unresolved: Vec::new(),
    });
    assert_eq!(r.grants.len(), 1);
    assert_eq!(
        r.grants[0].regions.list(),
        vec!["eu-central-1", "eu-west-1"]
    );
}

#[test]
fn the_documented_deny_of_global_profiles_takes_them_away() {
    let profile = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let json = format!(
        r#"{{"Statement":[
          {{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"{profile}"}},
          {{"Effect":"Allow","Action":"bedrock:InvokeModel",
            "Resource":"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Condition":{{"StringEquals":{{"aws:RequestedRegion":"unspecified","bedrock:InferenceProfileArn":"{profile}"}}}}}},
          {{"Effect":"Deny","Action":"bedrock:*","Resource":"*",
            "Condition":{{"StringEquals":{{"aws:RequestedRegion":"unspecified"}},
                          "ArnLike":{{"bedrock:InferenceProfileArn":"arn:aws:bedrock:*:*:inference-profile/global.*"}}}}}}
        ]}}"#
    );
    let r = reach(&json);
    assert!(r.grants.is_empty(), "{:?}", r.grants);
    // Without the Deny both grants stand.
    let without = json.replacen(r#""Effect":"Deny""#, r#""Effect":"Allow""#, 1);
    let without = without.replace(r#""Action":"bedrock:*""#, r#""Action":"s3:GetObject""#);
    let r = reach(&without);
    assert_eq!(r.grants.len(), 2);
    assert!(r.grants.iter().any(|g| g.profile.is_some()));
    // A Deny that only some callers meet takes nothing for certain.
    let r = reach(&json.replace(
        r#"{"aws:RequestedRegion":"unspecified"},"#,
        r#"{"aws:RequestedRegion":"unspecified","aws:PrincipalTag/team":"x"},"#,
    ));
    assert!(!r.grants.is_empty());
}

#[test]
fn an_inventory_policy_becomes_sourced_statements_or_a_reason() {
    use crate::model::inventory::{Policy, PolicyKind, Trust};
    let doc = PolicyDocument::parse(
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#,
    )
    .expect("parses");
    let mut policy = Policy {
        address: "aws_iam_policy.invoke".to_string(),
        kind: PolicyKind::Managed,
        name: None,
        change: None,
        location: Location::new("iam.tf", 1, 1),
        document_location: Location::new("iam.tf", 3, 3),
        statement_locations: crate::model::small_map::SmallMap::from([(
            1,
            Location::new("iam.tf", 9, 5),
        )]),
        document: Trust::Document(doc),
        sensitive: false,
    };
    let s = SourcedStatement::from_policy(&policy).expect("known");
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].origin.location, Some(Location::new("iam.tf", 9, 5)));
    assert_eq!(s[0].origin.location, Some(Location::new("iam.tf", 3, 3)));
    let r = bedrock_reach(&ReachInput {
        statements: &s,
        ..ReachInput::default()
    });
    assert_eq!(r.grants[0].via.iter().next().map(|o| o.statement), Some(1));
    policy.document = Trust::Unknown("known after apply".to_string());
    let why = SourcedStatement::from_policy(&policy).expect_err("unknown");
    assert!(why.contains("aws_iam_policy.invoke"), "{why}");
}
