//! No input makes trustdrift panic: every fixture plan, corrupted byte by
//! byte in many deterministic ways, either scans and checks or fails with an
//! error that names the file; every corrupted trust policy string becomes a
//! finding, never a crash.

use trustdrift::config::Policy;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FIXTURES: &[&str] = &[
    "testdata/example/plan.json",
    "testdata/plans/lifecycle.json",
    "testdata/plans/state.json",
    "testdata/rules/TD004/trigger.json",
    "testdata/rules/TD007/trigger.json",
];

const BYTES: &[u8] = b"{}[]\",:0\\ \n\xff\xc3*$";

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(4) {
            0 => out[at] = BYTES[rng.below(BYTES.len())],
            1 => {
                out.remove(at);
            }
            2 => out.insert(at, BYTES[rng.below(BYTES.len())]),
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn corrupted_plans_never_panic() {
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut errors = 0;
    for fixture in FIXTURES {
        let original = std::fs::read(fixture).expect("fixture");
        for _ in 0..400 {
            let bytes = mutate(&mut rng, &original);
            match trustdrift::ingest::plan::parse("mutated.json", &bytes) {
                Ok(ingested) => {
                    let scan = trustdrift::scan_ingested(ingested);
                    let _ = trustdrift::check(&scan, &policy);
                    let _ = trustdrift::grants_of(&scan, &policy);
                }
                Err(e) => {
                    assert!(
                        e.to_string().starts_with("mutated.json"),
                        "error does not name the file: {e}"
                    );
                    errors += 1;
                }
            }
        }
    }
    assert!(errors > 0, "the mutations never produced invalid input");
}

#[test]
fn corrupted_trust_policies_are_findings() {
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let mut rng = Rng(0x5eed_4321_dcba_0002);
    let trust = br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999988887777:root","*"],"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":["sts:AssumeRole*"],"Condition":{"ForAllValues:StringLikeIfExists":{"token.actions.githubusercontent.com:sub":["repo:*",true,1]}}}]}"#;
    for _ in 0..2000 {
        let mutated = String::from_utf8_lossy(&mutate(&mut rng, trust)).into_owned();
        let plan = serde_json::json!({
            "format_version": "1.2",
            "resource_changes": [{
                "address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r",
                "change": {"actions": ["create"], "after": {"name": "r", "assume_role_policy": mutated}, "after_unknown": {}}
            }]
        });
        let ingested = trustdrift::ingest::plan::parse("p.json", plan.to_string().as_bytes())
            .expect("a well-formed plan");
        let scan = trustdrift::scan_ingested(ingested);
        let _ = trustdrift::check(&scan, &policy);
    }
}

#[test]
fn corrupted_terraform_never_panics() {
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let mut rng = Rng(0x5eed_7777_0000_0003);
    let sources = [
        "testdata/hcl/basic/main.tf",
        "testdata/hcl/eval/locals.tf",
        "testdata/hcl/policy_document/main.tf",
        "testdata/hcl/iam_modules/modules/assumable-role/main.tf",
        "testdata/hcl/own_account/main.tf",
    ];
    for source in sources {
        let original = std::fs::read(source).expect("fixture");
        for _ in 0..60 {
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(dir.path().join("main.tf"), mutate(&mut rng, &original)).expect("write");
            match trustdrift::ingest::hcl::load(dir.path(), &Default::default()) {
                Ok(ingested) => {
                    let scan = trustdrift::scan_ingested(ingested);
                    let _ = trustdrift::check(&scan, &policy);
                }
                Err(e) => {
                    let shown = e.to_string();
                    assert!(
                        !shown.contains("internal error"),
                        "{source}: the evaluator panicked: {shown}"
                    );
                    assert!(
                        shown.contains("main.tf"),
                        "{source}: error does not name the file: {shown}"
                    );
                }
            }
        }
    }
}
