//! The README's rule table is generated from the registry; this fails when
//! it is stale. Run with `TRUSTDRIFT_BLESS=1` to rewrite it.

#[test]
fn readme_rule_table_is_current() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start_marker = "<!-- rules:start";
    let end_marker = "<!-- rules:end -->";
    let start = readme.find(start_marker).expect("start marker");
    let body_start = start + readme[start..].find('\n').expect("marker line") + 1;
    let end = readme.find(end_marker).expect("end marker");
    let table = trustdrift::report::rules::markdown_table();
    if std::env::var_os("TRUSTDRIFT_BLESS").is_some() {
        let updated = format!("{}{}{}", &readme[..body_start], table, &readme[end..]);
        std::fs::write("README.md", updated).expect("write README.md");
        return;
    }
    assert_eq!(
        &readme[body_start..end],
        table,
        "README rule table is stale: run TRUSTDRIFT_BLESS=1 cargo test --test readme"
    );
}

/// The security section's limits table states the values in force.
#[test]
fn readme_limits_are_the_ones_in_force() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let thousands = |n: usize| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    for (name, value) in [
        (
            "`max_instances`",
            thousands(trustdrift::ingest::hcl::eval::MAX_INSTANCES),
        ),
        (
            "`max_policy_document_bytes`",
            format!(
                "{} KiB",
                trustdrift::ingest::MAX_POLICY_DOCUMENT_BYTES / 1024
            ),
        ),
        (
            "`max_for_iterations`",
            thousands(trustdrift::ingest::hcl::eval::MAX_FOR_ITERATIONS),
        ),
        (
            "`max_string_bytes`",
            format!(
                "{} MiB",
                trustdrift::ingest::hcl::eval::MAX_STRING_BYTES >> 20
            ),
        ),
        (
            "`max_value_nodes`",
            thousands(trustdrift::ingest::hcl::eval::MAX_VALUE_NODES),
        ),
        (
            "`max_parse_seconds`",
            format!(
                "{} s + 1 s per {} KiB",
                trustdrift::ingest::hcl::source::PARSE_SECONDS_BASE,
                trustdrift::ingest::hcl::source::PARSE_BYTES_PER_SECOND / 1024
            ),
        ),
        (
            "module nesting depth",
            trustdrift::ingest::hcl::module::MAX_MODULE_DEPTH.to_string(),
        ),
        (
            "evaluation nesting depth",
            trustdrift::ingest::hcl::eval::MAX_EVAL_DEPTH.to_string(),
        ),
    ] {
        let row = readme
            .lines()
            .find(|l| l.trim_start().starts_with("| ") && l.contains(name))
            .unwrap_or_else(|| panic!("README has no limits row for {name}"));
        assert!(
            row.trim_end().ends_with(&format!("| {value} |")),
            "README row for {name} should say {value}: {row}"
        );
    }
}
