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
