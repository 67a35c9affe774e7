//! End-to-end cases as data: `tests/cmd/<case>.toml` holds the arguments and
//! exit status, `<case>.stdout` / `<case>.stderr` the expected bytes.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("trustdrift", trycmd::cargo::cargo_bin!("trustdrift"))
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
