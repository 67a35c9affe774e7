//! Tests of every function: ordinary use, errors, unknowns.

use std::collections::BTreeMap;
use std::path::Path;

use super::{FuncContext, call, is_supported, supported_names};
use crate::model::value::Value;

fn s(x: &str) -> Value {
    Value::String(x.to_string())
}
fn n(i: i64) -> Value {
    Value::Number(i.into())
}
fn fl(x: f64) -> Value {
    Value::Number(serde_json::Number::from_f64(x).expect("finite"))
}
fn b(x: bool) -> Value {
    Value::Bool(x)
}
fn l(v: Vec<Value>) -> Value {
    Value::List(v)
}
fn ls(v: &[&str]) -> Value {
    Value::List(v.iter().map(|x| s(x)).collect())
}
fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}
fn unk(r: &str) -> Value {
    Value::unknown(r)
}

fn run_in(root: &Path, module_dir: &Path, name: &str, args: Vec<Value>) -> Result<Value, String> {
    call(name, args, &FuncContext { root, module_dir })
}
fn run(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let p = Path::new("/nonexistent-trustdrift-root");
    run_in(p, p, name, args)
}
#[track_caller]
fn ok(name: &str, args: Vec<Value>) -> Value {
    match run(name, args) {
        Ok(v) => v,
        Err(e) => panic!("{name} failed: {e}"),
    }
}
#[track_caller]
fn err(name: &str, args: Vec<Value>) -> String {
    match run(name, args) {
        Ok(v) => panic!("{name} should fail, gave {v:?}"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- dispatch

#[test]
fn unsupported_function_is_named() {
    assert_eq!(err("nosuch", vec![]), "function `nosuch` is not supported");
    assert_eq!(err("try", vec![n(1)]), "function `try` is not supported");
    assert!(is_supported("jsonencode"));
    assert!(!is_supported("templatefile"));
    assert!(supported_names().contains(&"provider::aws::arn_parse"));
}

// ---------------------------------------------------------------- JSON

#[test]
fn jsonencode_sorts_keys_and_escapes_like_terraform() {
    let v = obj(&[("b", n(1)), ("a", s("<x>"))]);
    assert_eq!(
        ok("jsonencode", vec![v]),
        s(r#"{"a":"\u003cx\u003e","b":1}"#)
    );
    assert_eq!(
        ok("jsonencode", vec![s("a&b\u{2028}\u{2029}\"\\\n\t\u{1}")]),
        s(r#""a\u0026b\u2028\u2029\"\\\n\t\u0001""#)
    );
    assert_eq!(
        ok(
            "jsonencode",
            vec![l(vec![n(1), fl(1.5), b(true), Value::Null, fl(3.0)])]
        ),
        s("[1,1.5,true,null,3]")
    );
    assert_eq!(ok("jsonencode", vec![obj(&[])]), s("{}"));
}

#[test]
fn jsonencode_writes_unknown_leaves_as_interpolations() {
    let policy = obj(&[(
        "Statement",
        l(vec![obj(&[
            ("Effect", s("Allow")),
            ("Principal", obj(&[("AWS", unk("aws_iam_role.ci.arn"))])),
        ])]),
    )]);
    assert_eq!(
        ok("jsonencode", vec![policy]),
        s(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"${aws_iam_role.ci.arn}"}}]}"#)
    );
    assert_eq!(ok("jsonencode", vec![unk("var.p")]), unk("var.p"));
}

#[test]
fn jsonencode_errors() {
    assert_eq!(
        err("jsonencode", vec![]),
        "jsonencode: expected 1 argument, got 0"
    );
    let mut deep = n(1);
    for _ in 0..300 {
        deep = l(vec![deep]);
    }
    assert_eq!(
        err("jsonencode", vec![deep]),
        "jsonencode: value is nested more than 256 levels deep"
    );
}

#[test]
fn jsondecode_parses_json() {
    assert_eq!(
        ok("jsondecode", vec![s(r#"{"b":[1,"x",null],"a":true}"#)]),
        obj(&[("a", b(true)), ("b", l(vec![n(1), s("x"), Value::Null]))])
    );
    assert_eq!(ok("jsondecode", vec![unk("var.j")]), unk("var.j"));
}

#[test]
fn jsondecode_errors() {
    assert_eq!(
        err("jsondecode", vec![s("{")]),
        "jsondecode: invalid JSON: EOF while parsing an object at line 1 column 1"
    );
    assert_eq!(
        err("jsondecode", vec![n(1)]),
        "jsondecode: argument must be a string, got number"
    );
    assert_eq!(
        err("jsondecode", vec![s("1"), s("2")]),
        "jsondecode: expected 1 argument, got 2"
    );
}

// ---------------------------------------------------------------- collections

#[test]
fn merge_later_wins_and_skips_null() {
    let a = obj(&[("x", n(1)), ("y", n(2))]);
    let c = obj(&[("y", unk("var.y")), ("z", n(3))]);
    assert_eq!(
        ok("merge", vec![a, Value::Null, c]),
        obj(&[("x", n(1)), ("y", unk("var.y")), ("z", n(3))])
    );
    assert_eq!(ok("merge", vec![]), obj(&[]));
    assert_eq!(ok("merge", vec![obj(&[]), unk("var.m")]), unk("var.m"));
}

#[test]
fn merge_errors() {
    assert_eq!(
        err("merge", vec![obj(&[]), ls(&["a"])]),
        "merge: argument 2 must be an object or map, got list"
    );
    assert_eq!(
        err("merge", vec![s("a")]),
        "merge: argument must be an object or map, got string"
    );
}

#[test]
fn concat_keeps_unknown_elements() {
    assert_eq!(
        ok(
            "concat",
            vec![ls(&["a"]), l(vec![unk("var.b"), s("c")]), l(vec![])]
        ),
        l(vec![s("a"), unk("var.b"), s("c")])
    );
    assert_eq!(ok("concat", vec![ls(&["a"]), unk("var.l")]), unk("var.l"));
}

#[test]
fn concat_errors() {
    assert_eq!(
        err("concat", vec![ls(&["a"]), s("b")]),
        "concat: argument 2 must be a list, got string"
    );
    assert_eq!(
        err("concat", vec![Value::Null]),
        "concat: argument must be a list, got null"
    );
}

#[test]
fn lookup_with_and_without_default() {
    let m = obj(&[("a", s("1")), ("u", unk("var.u"))]);
    assert_eq!(ok("lookup", vec![m.clone(), s("a")]), s("1"));
    assert_eq!(ok("lookup", vec![m.clone(), s("zz"), s("d")]), s("d"));
    assert_eq!(ok("lookup", vec![m.clone(), s("u")]), unk("var.u"));
    assert_eq!(
        ok("lookup", vec![unk("var.m"), s("a"), s("d")]),
        unk("var.m")
    );
    assert_eq!(
        ok("lookup", vec![m.clone(), unk("var.k"), s("d")]),
        unk("var.k")
    );
    assert_eq!(ok("lookup", vec![m, s("${var.k}"), s("d")]), unk("var.k"));
}

#[test]
fn lookup_errors() {
    assert_eq!(
        err("lookup", vec![obj(&[])]),
        "lookup: expected 2 or 3 arguments, got 1"
    );
    assert_eq!(
        err("lookup", vec![obj(&[]), s("k")]),
        r#"lookup: the given key "k" does not exist in the map"#
    );
    assert_eq!(
        err("lookup", vec![ls(&["a"]), s("k")]),
        "lookup: argument 1 must be an object or map, got list"
    );
    assert_eq!(
        err("lookup", vec![obj(&[]), ls(&[]), s("d")]),
        "lookup: argument 2 must be a string, got list"
    );
}

#[test]
fn element_wraps_around() {
    let list = ls(&["a", "b", "c"]);
    assert_eq!(ok("element", vec![list.clone(), n(1)]), s("b"));
    assert_eq!(ok("element", vec![list.clone(), n(5)]), s("c"));
    assert_eq!(ok("element", vec![list.clone(), s("3")]), s("a"));
    assert_eq!(
        ok("element", vec![list, unk("count.index")]),
        unk("count.index")
    );
}

#[test]
fn element_errors() {
    assert_eq!(
        err("element", vec![ls(&["a"]), n(-1)]),
        "element: cannot use element function with a negative index"
    );
    assert_eq!(
        err("element", vec![ls(&[]), n(0)]),
        "element: cannot use element function with an empty list"
    );
    assert_eq!(
        err("element", vec![ls(&["a"]), fl(0.5)]),
        "element: argument 2 must be a whole number"
    );
    assert_eq!(
        err("element", vec![s("a"), n(0)]),
        "element: argument 1 must be a list, got string"
    );
    assert_eq!(
        err("element", vec![ls(&["a"])]),
        "element: expected 2 arguments, got 1"
    );
}

#[test]
fn index_finds_first_match() {
    assert_eq!(ok("index", vec![ls(&["a", "b", "b"]), s("b")]), n(1));
    assert_eq!(ok("index", vec![l(vec![n(1), n(2)]), fl(2.0)]), n(1));
    assert_eq!(
        ok("index", vec![l(vec![unk("var.a"), s("b")]), s("b")]),
        unk("var.a")
    );
    assert_eq!(
        ok("index", vec![l(vec![s("b"), unk("var.a")]), s("b")]),
        n(0)
    );
}

#[test]
fn index_errors() {
    assert_eq!(
        err("index", vec![ls(&["a"]), s("z")]),
        "index: item not found"
    );
    assert_eq!(
        err("index", vec![obj(&[]), s("z")]),
        "index: argument 1 must be a list, got object"
    );
    assert_eq!(
        err("index", vec![ls(&["a"])]),
        "index: expected 2 arguments, got 1"
    );
}

#[test]
fn contains_decides_what_it_can() {
    assert_eq!(ok("contains", vec![ls(&["a", "b"]), s("b")]), b(true));
    assert_eq!(ok("contains", vec![ls(&["a", "b"]), s("c")]), b(false));
    assert_eq!(ok("contains", vec![l(vec![n(1), n(2)]), n(2)]), b(true));
    // A match among the known elements decides; otherwise the unknown does.
    assert_eq!(
        ok("contains", vec![l(vec![unk("var.x"), s("b")]), s("b")]),
        b(true)
    );
    assert_eq!(
        ok("contains", vec![l(vec![unk("var.x"), s("b")]), s("c")]),
        unk("var.x")
    );
    assert_eq!(
        ok("contains", vec![ls(&["arn:${var.a}"]), s("arn:1")]),
        unk("var.a")
    );
    assert_eq!(ok("contains", vec![unk("var.l"), s("c")]), unk("var.l"));
    assert_eq!(ok("contains", vec![ls(&["a"]), unk("var.v")]), unk("var.v"));
}

#[test]
fn contains_errors() {
    assert_eq!(
        err("contains", vec![s("abc"), s("b")]),
        "contains: argument 1 must be a list, got string"
    );
    assert_eq!(
        err("contains", vec![ls(&["a"])]),
        "contains: expected 2 arguments, got 1"
    );
}

#[test]
fn length_counts_characters_elements_and_keys() {
    assert_eq!(ok("length", vec![s("héllo")]), n(5));
    assert_eq!(ok("length", vec![l(vec![unk("a"), unk("b")])]), n(2));
    assert_eq!(ok("length", vec![obj(&[("a", n(1))])]), n(1));
    assert_eq!(ok("length", vec![unk("var.l")]), unk("var.l"));
    assert_eq!(ok("length", vec![s("x-${var.env}")]), unk("var.env"));
    assert_eq!(ok("length", vec![s("${aws:username}")]), n(15));
}

#[test]
fn length_errors() {
    assert_eq!(
        err("length", vec![n(1)]),
        "length: argument must be a string, list or object, got number"
    );
    assert_eq!(
        err("length", vec![Value::Null]),
        "length: argument must be a string, list or object, got null"
    );
    assert_eq!(err("length", vec![]), "length: expected 1 argument, got 0");
}

#[test]
fn keys_and_values_in_key_order() {
    let m = obj(&[("b", n(2)), ("a", unk("var.a"))]);
    assert_eq!(ok("keys", vec![m.clone()]), ls(&["a", "b"]));
    assert_eq!(ok("values", vec![m]), l(vec![unk("var.a"), n(2)]));
    assert_eq!(ok("keys", vec![unk("var.m")]), unk("var.m"));
}

#[test]
fn keys_and_values_errors() {
    assert_eq!(
        err("keys", vec![s("a")]),
        "keys: argument must be an object or map, got string"
    );
    assert_eq!(
        err("values", vec![ls(&[])]),
        "values: argument must be an object or map, got list"
    );
    assert_eq!(
        err("keys", vec![obj(&[]), obj(&[])]),
        "keys: expected 1 argument, got 2"
    );
    assert_eq!(err("values", vec![]), "values: expected 1 argument, got 0");
}

#[test]
fn distinct_keeps_first_occurrence() {
    assert_eq!(
        ok(
            "distinct",
            vec![l(vec![
                s("b"),
                s("a"),
                s("b"),
                n(1),
                fl(1.0),
                unk("x"),
                unk("x")
            ])]
        ),
        l(vec![s("b"), s("a"), n(1), unk("x")])
    );
}

#[test]
fn distinct_errors() {
    assert_eq!(
        err("distinct", vec![s("a")]),
        "distinct: argument must be a list, got string"
    );
    assert_eq!(
        err("distinct", vec![]),
        "distinct: expected 1 argument, got 0"
    );
}

#[test]
fn flatten_is_recursive_and_keeps_unknowns_as_leaves() {
    assert_eq!(
        ok(
            "flatten",
            vec![l(vec![
                ls(&["a"]),
                l(vec![l(vec![s("b")]), unk("var.c")]),
                l(vec![])
            ])]
        ),
        l(vec![s("a"), s("b"), unk("var.c")])
    );
}

#[test]
fn flatten_errors() {
    assert_eq!(
        err("flatten", vec![obj(&[])]),
        "flatten: argument must be a list, got object"
    );
    let mut deep = l(vec![n(1)]);
    for _ in 0..150 {
        deep = l(vec![deep]);
    }
    assert_eq!(
        err("flatten", vec![deep]),
        "flatten: lists are nested more than 100 levels deep"
    );
}

#[test]
fn compact_drops_empty_and_null() {
    assert_eq!(
        ok(
            "compact",
            vec![l(vec![s("a"), s(""), Value::Null, unk("var.x"), n(1)])]
        ),
        l(vec![s("a"), unk("var.x"), s("1")])
    );
}

#[test]
fn compact_errors() {
    assert_eq!(
        err("compact", vec![l(vec![ls(&[])])]),
        "compact: element 0 must be a string, got list"
    );
    assert_eq!(
        err("compact", vec![s("a")]),
        "compact: argument must be a list, got string"
    );
}

#[test]
fn coalesce_picks_first_non_empty() {
    assert_eq!(
        ok("coalesce", vec![Value::Null, s(""), s("b"), s("c")]),
        s("b")
    );
    assert_eq!(ok("coalesce", vec![Value::Null, n(0)]), n(0));
    assert_eq!(
        ok("coalesce", vec![s(""), unk("var.a"), s("c")]),
        unk("var.a")
    );
    assert_eq!(ok("coalesce", vec![s("a"), unk("var.a")]), s("a"));
}

#[test]
fn coalesce_errors() {
    assert_eq!(
        err("coalesce", vec![Value::Null, s("")]),
        "coalesce: no non-null, non-empty-string arguments"
    );
    assert_eq!(
        err("coalesce", vec![]),
        "coalesce: expected at least 1 argument, got 0"
    );
}

#[test]
fn coalescelist_picks_first_non_empty_list() {
    assert_eq!(
        ok("coalescelist", vec![ls(&[]), ls(&["a"]), ls(&["b"])]),
        ls(&["a"])
    );
    assert_eq!(
        ok("coalescelist", vec![ls(&[]), unk("var.l")]),
        unk("var.l")
    );
}

#[test]
fn coalescelist_errors() {
    assert_eq!(
        err("coalescelist", vec![ls(&[]), ls(&[])]),
        "coalescelist: no non-null arguments"
    );
    assert_eq!(
        err("coalescelist", vec![ls(&[]), s("a")]),
        "coalescelist: argument 2 must be a list, got string"
    );
    assert_eq!(
        err("coalescelist", vec![]),
        "coalescelist: expected at least 1 argument, got 0"
    );
}

#[test]
fn one_of_zero_or_one() {
    assert_eq!(ok("one", vec![ls(&[])]), Value::Null);
    assert_eq!(ok("one", vec![ls(&["a"])]), s("a"));
    assert_eq!(ok("one", vec![unk("var.l")]), unk("var.l"));
}

#[test]
fn one_errors() {
    assert_eq!(
        err("one", vec![ls(&["a", "b"])]),
        "one: must be a list, set, or tuple value with either zero or one elements, got 2"
    );
    assert_eq!(
        err("one", vec![Value::Null]),
        "one: argument must be a list, got null"
    );
}

#[test]
fn sort_sorts_strings_lexically() {
    assert_eq!(
        ok("sort", vec![l(vec![s("b"), s("a"), n(10), n(9)])]),
        ls(&["10", "9", "a", "b"])
    );
    assert_eq!(
        ok("sort", vec![l(vec![s("b"), unk("var.a")])]),
        unk("var.a")
    );
}

#[test]
fn sort_errors() {
    assert_eq!(
        err("sort", vec![l(vec![s("a"), Value::Null])]),
        "sort: element 1 is null; a null string cannot be sorted"
    );
    assert_eq!(
        err("sort", vec![l(vec![obj(&[])])]),
        "sort: element 0 must be a string, got object"
    );
    assert_eq!(err("sort", vec![]), "sort: expected 1 argument, got 0");
}

#[test]
fn zipmap_pairs_keys_with_values() {
    assert_eq!(
        ok("zipmap", vec![ls(&["a", "b"]), l(vec![n(1), unk("var.b")])]),
        obj(&[("a", n(1)), ("b", unk("var.b"))])
    );
    assert_eq!(
        ok("zipmap", vec![l(vec![unk("var.k")]), ls(&["v"])]),
        unk("var.k")
    );
}

#[test]
fn zipmap_errors() {
    assert_eq!(
        err("zipmap", vec![ls(&["a", "b"]), ls(&["1"])]),
        "zipmap: number of keys (2) does not match number of values (1)"
    );
    assert_eq!(
        err("zipmap", vec![ls(&["a"]), s("1")]),
        "zipmap: argument 2 must be a list, got string"
    );
}

#[test]
fn set_functions() {
    assert_eq!(
        ok("setunion", vec![ls(&["b", "a"]), ls(&["c", "a"])]),
        ls(&["a", "b", "c"])
    );
    assert_eq!(
        ok("setunion", vec![ls(&["a"]), l(vec![n(1)])]),
        ls(&["1", "a"])
    );
    assert_eq!(
        ok("setunion", vec![ls(&["b"]), l(vec![unk("var.x")])]),
        l(vec![s("b"), unk("var.x")])
    );
    assert_eq!(
        ok(
            "setintersection",
            vec![ls(&["a", "b", "c"]), ls(&["c", "b", "d"])]
        ),
        ls(&["b", "c"])
    );
    assert_eq!(
        ok("setintersection", vec![ls(&["a"]), l(vec![unk("var.x")])]),
        unk("var.x")
    );
    assert_eq!(
        ok("setsubtract", vec![ls(&["a", "b", "c"]), ls(&["b"])]),
        ls(&["a", "c"])
    );
    assert_eq!(
        ok("setproduct", vec![ls(&["a", "b"]), ls(&["1", "2"])]),
        l(vec![
            ls(&["a", "1"]),
            ls(&["a", "2"]),
            ls(&["b", "1"]),
            ls(&["b", "2"])
        ])
    );
}

#[test]
fn set_function_errors() {
    assert_eq!(
        err("setunion", vec![]),
        "setunion: expected at least 1 argument, got 0"
    );
    assert_eq!(
        err("setunion", vec![ls(&["a"]), s("b")]),
        "setunion: argument 2 must be a list, got string"
    );
    assert_eq!(
        err("setintersection", vec![obj(&[])]),
        "setintersection: argument must be a list, got object"
    );
    assert_eq!(
        err("setsubtract", vec![ls(&[])]),
        "setsubtract: expected 2 arguments, got 1"
    );
    assert_eq!(
        err("setproduct", vec![ls(&["a"])]),
        "setproduct: expected at least 2 arguments, got 1"
    );
    assert_eq!(
        err("setunion", vec![l(vec![s("a"), ls(&[])])]),
        "setunion: all elements must have the same type, got string and list"
    );
}

#[test]
fn range_counts() {
    assert_eq!(ok("range", vec![n(3)]), l(vec![n(0), n(1), n(2)]));
    assert_eq!(ok("range", vec![n(1), n(4)]), l(vec![n(1), n(2), n(3)]));
    assert_eq!(ok("range", vec![n(3), n(0)]), l(vec![n(3), n(2), n(1)]));
    assert_eq!(
        ok("range", vec![n(0), n(1), fl(0.25)]),
        l(vec![n(0), fl(0.25), fl(0.5), fl(0.75)])
    );
    assert_eq!(ok("range", vec![unk("var.n")]), unk("var.n"));
}

#[test]
fn range_errors() {
    assert_eq!(
        err("range", vec![]),
        "range: expected 1 to 3 arguments, got 0"
    );
    assert_eq!(
        err("range", vec![n(0), n(5), n(0)]),
        "range: step must not be zero"
    );
    assert_eq!(
        err("range", vec![n(0), n(5), n(-1)]),
        "range: step must be positive when start is less than limit"
    );
    assert_eq!(
        err("range", vec![n(1_000_000_000)]),
        "range: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step"
    );
    assert_eq!(
        err("range", vec![s("x")]),
        "range: argument must be a number, got string"
    );
}

#[test]
fn reverse_slice_chunklist() {
    assert_eq!(ok("reverse", vec![ls(&["a", "b"])]), ls(&["b", "a"]));
    assert_eq!(
        ok("slice", vec![ls(&["a", "b", "c", "d"]), n(1), n(3)]),
        ls(&["b", "c"])
    );
    assert_eq!(ok("slice", vec![ls(&["a"]), n(1), n(1)]), ls(&[]));
    assert_eq!(
        ok("chunklist", vec![ls(&["a", "b", "c"]), n(2)]),
        l(vec![ls(&["a", "b"]), ls(&["c"])])
    );
    assert_eq!(ok("chunklist", vec![ls(&["a"]), n(0)]), l(vec![ls(&["a"])]));
}

#[test]
fn reverse_slice_chunklist_errors() {
    assert_eq!(
        err("reverse", vec![s("ab")]),
        "reverse: argument must be a list, got string"
    );
    assert_eq!(
        err("slice", vec![ls(&["a"]), n(0), n(2)]),
        "slice: end index must not be greater than the length of the list"
    );
    assert_eq!(
        err("slice", vec![ls(&["a", "b"]), n(2), n(1)]),
        "slice: start index must not be greater than end index"
    );
    assert_eq!(
        err("slice", vec![ls(&["a"]), n(-1), n(1)]),
        "slice: start index must not be negative"
    );
    assert_eq!(
        err("chunklist", vec![ls(&["a"]), n(-1)]),
        "chunklist: the size argument must be positive"
    );
    assert_eq!(
        err("chunklist", vec![ls(&["a"])]),
        "chunklist: expected 2 arguments, got 1"
    );
}

#[test]
fn transpose_swaps_keys_and_values() {
    let m = obj(&[("a", ls(&["1", "2"])), ("b", ls(&["2", "3"]))]);
    assert_eq!(
        ok("transpose", vec![m]),
        obj(&[("1", ls(&["a"])), ("2", ls(&["a", "b"])), ("3", ls(&["b"]))])
    );
}

#[test]
fn transpose_errors() {
    assert_eq!(
        err("transpose", vec![obj(&[("a", s("1"))])]),
        r#"transpose: value of "a" must be a list of strings, got string"#
    );
    assert_eq!(
        err("transpose", vec![ls(&[])]),
        "transpose: argument must be an object or map, got list"
    );
}

#[test]
fn alltrue_anytrue_sum() {
    assert_eq!(ok("alltrue", vec![l(vec![b(true), s("true")])]), b(true));
    assert_eq!(ok("alltrue", vec![l(vec![unk("x"), b(false)])]), b(false));
    assert_eq!(ok("alltrue", vec![l(vec![unk("x"), b(true)])]), unk("x"));
    assert_eq!(ok("alltrue", vec![ls(&[])]), b(true));
    assert_eq!(ok("anytrue", vec![l(vec![b(false), b(true)])]), b(true));
    assert_eq!(ok("anytrue", vec![ls(&[])]), b(false));
    assert_eq!(ok("sum", vec![l(vec![n(1), n(2), s("3")])]), n(6));
    assert_eq!(ok("sum", vec![l(vec![n(1), fl(0.5)])]), fl(1.5));
}

#[test]
fn alltrue_anytrue_sum_errors() {
    assert_eq!(
        err("alltrue", vec![l(vec![n(1)])]),
        "alltrue: element 0 must be a bool, got number"
    );
    assert_eq!(
        err("anytrue", vec![s("x")]),
        "anytrue: argument must be a list, got string"
    );
    assert_eq!(err("sum", vec![ls(&[])]), "sum: cannot sum an empty list");
    assert_eq!(
        err("sum", vec![ls(&["x"])]),
        "sum: element 0 must be a number, got string"
    );
}

// ---------------------------------------------------------------- conversions

#[test]
fn tolist_toset_tomap() {
    assert_eq!(
        ok("tolist", vec![l(vec![s("a"), n(1), b(true)])]),
        ls(&["a", "1", "true"])
    );
    assert_eq!(
        ok("tolist", vec![l(vec![n(1), unk("x")])]),
        l(vec![n(1), unk("x")])
    );
    assert_eq!(ok("tolist", vec![Value::Null]), Value::Null);
    assert_eq!(ok("toset", vec![ls(&["b", "a", "b"])]), ls(&["a", "b"]));
    assert_eq!(
        ok("toset", vec![l(vec![n(10), n(9), n(10)])]),
        l(vec![n(9), n(10)])
    );
    assert_eq!(
        ok("toset", vec![l(vec![unk("x"), s("b")])]),
        l(vec![s("b"), unk("x")])
    );
    assert_eq!(
        ok("tomap", vec![obj(&[("a", n(1)), ("b", s("x"))])]),
        obj(&[("a", s("1")), ("b", s("x"))])
    );
    assert_eq!(ok("toset", vec![unk("var.s")]), unk("var.s"));
}

#[test]
fn tolist_toset_tomap_errors() {
    assert_eq!(
        err("tolist", vec![s("a")]),
        "tolist: cannot convert string to list"
    );
    assert_eq!(
        err("toset", vec![obj(&[])]),
        "toset: cannot convert object to set"
    );
    assert_eq!(
        err("tomap", vec![ls(&[])]),
        "tomap: cannot convert list to map"
    );
    assert_eq!(
        err("tolist", vec![l(vec![s("a"), obj(&[])])]),
        "tolist: all elements must have the same type, got string and object"
    );
    assert_eq!(
        err("tolist", vec![l(vec![n(1), b(true)])]),
        "tolist: all elements must have the same type, got number and bool"
    );
    assert_eq!(err("tolist", vec![]), "tolist: expected 1 argument, got 0");
}

#[test]
fn tostring_tonumber_tobool() {
    assert_eq!(ok("tostring", vec![n(3)]), s("3"));
    assert_eq!(ok("tostring", vec![fl(1.5)]), s("1.5"));
    assert_eq!(ok("tostring", vec![fl(3.0)]), s("3"));
    assert_eq!(ok("tostring", vec![b(true)]), s("true"));
    assert_eq!(ok("tostring", vec![Value::Null]), Value::Null);
    assert_eq!(
        ok("tostring", vec![Value::Number(u64::MAX.into())]),
        s("18446744073709551615")
    );
    assert_eq!(ok("tonumber", vec![s("42")]), n(42));
    assert_eq!(ok("tonumber", vec![s("1.5")]), fl(1.5));
    assert_eq!(ok("tonumber", vec![n(7)]), n(7));
    assert_eq!(ok("tobool", vec![s("false")]), b(false));
    assert_eq!(ok("tostring", vec![unk("x")]), unk("x"));
}

#[test]
fn tostring_tonumber_tobool_errors() {
    assert_eq!(
        err("tostring", vec![ls(&["a"])]),
        "tostring: cannot convert list to string"
    );
    assert_eq!(
        err("tonumber", vec![s("abc")]),
        r#"tonumber: cannot convert "abc" to number"#
    );
    assert_eq!(
        err("tonumber", vec![s("inf")]),
        r#"tonumber: cannot convert "inf" to number"#
    );
    assert_eq!(
        err("tonumber", vec![b(true)]),
        "tonumber: cannot convert bool to number"
    );
    assert_eq!(
        err("tobool", vec![n(1)]),
        "tobool: cannot convert number to bool"
    );
    assert_eq!(
        err("tostring", vec![]),
        "tostring: expected 1 argument, got 0"
    );
}

#[test]
fn sensitive_is_identity() {
    assert_eq!(ok("sensitive", vec![s("x")]), s("x"));
    assert_eq!(ok("nonsensitive", vec![unk("x")]), unk("x"));
    assert_eq!(
        err("sensitive", vec![]),
        "sensitive: expected 1 argument, got 0"
    );
}

// ---------------------------------------------------------------- format

#[test]
fn format_verbs() {
    let f = |spec: &str, args: Vec<Value>| {
        let mut a = vec![s(spec)];
        a.extend(args);
        ok("format", a)
    };
    assert_eq!(
        f("arn:aws:iam::%s:root", vec![s("123456789012")]),
        s("arn:aws:iam::123456789012:root")
    );
    assert_eq!(f("%d items, %s", vec![n(3), n(4)]), s("3 items, 4"));
    assert_eq!(f("%.2f|%f", vec![fl(1.23456), n(2)]), s("1.23|2.000000"));
    assert_eq!(f("%q", vec![s("a\"<b")]), s(r#""a\"\u003cb""#));
    assert_eq!(f("%v %v %v", vec![s("x"), n(5), b(true)]), s("x 5 true"));
    assert_eq!(f("%v", vec![n(12345678)]), s("1.2345678e+07"));
    assert_eq!(
        f("%#v", vec![obj(&[("b", n(1)), ("a", s("x"))])]),
        s(r#"{"a":"x","b":1}"#)
    );
    assert_eq!(f("%#v", vec![s("x")]), s(r#""x""#));
    assert_eq!(f("%t", vec![b(false)]), s("false"));
    assert_eq!(f("100%%", vec![]), s("100%"));
    assert_eq!(
        f("%5s|%-5s|%05d|%+d", vec![s("ab"), s("cd"), n(42), n(7)]),
        s("   ab|cd   |00042|+7")
    );
    assert_eq!(f("%.3s", vec![s("abcdef")]), s("abc"));
    assert_eq!(
        f("%x %X %o %b %#x", vec![n(255), n(255), n(8), n(5), n(255)]),
        s("ff FF 10 101 0xff")
    );
    assert_eq!(f("%e", vec![fl(1234.5678)]), s("1.234568e+03"));
    assert_eq!(f("%g %g", vec![fl(0.5), fl(1e-7)]), s("0.5 1e-07"));
    assert_eq!(f("%[2]s %[1]s", vec![s("a"), s("b")]), s("b a"));
    assert_eq!(f("%d", vec![n(-5)]), s("-5"));
    assert_eq!(f("%v", vec![Value::Null]), s("null"));
}

#[test]
fn format_writes_unknowns_as_interpolations() {
    assert_eq!(
        ok(
            "format",
            vec![s("arn:aws:iam::%s:root"), unk("var.account_id")]
        ),
        s("arn:aws:iam::${var.account_id}:root")
    );
    assert_eq!(
        ok("format", vec![s("%#v"), l(vec![s("a"), unk("var.b")])]),
        s(r#"["a","${var.b}"]"#)
    );
    assert_eq!(ok("format", vec![unk("var.f"), s("a")]), unk("var.f"));
}

#[test]
fn format_errors() {
    assert_eq!(
        err("format", vec![]),
        "format: expected at least 1 argument, got 0"
    );
    assert_eq!(
        err("format", vec![s("%s %s"), s("a")]),
        r#"format: not enough arguments for "%s" at 3: need index 2 but have 1 total"#
    );
    assert_eq!(
        err("format", vec![s("%s"), s("a"), s("b")]),
        "format: too many arguments; only 1 used by format string"
    );
    assert_eq!(
        err("format", vec![s("%d"), fl(1.5)]),
        r#"format: unsupported value for "%d" at 0: an integer is required"#
    );
    assert_eq!(
        err("format", vec![s("%s"), ls(&["a"])]),
        r#"format: unsupported value for "%s" at 0: string required"#
    );
    assert_eq!(
        err("format", vec![s("%s"), Value::Null]),
        r#"format: unsupported value for "%s" at 0: null value cannot be formatted"#
    );
    assert_eq!(
        err("format", vec![s("%y"), n(1)]),
        r#"format: unsupported format verb 'y' in "%y" at offset 0"#
    );
    assert_eq!(
        err("format", vec![s("abc%")]),
        "format: invalid format string starting at offset 3"
    );
    assert_eq!(
        err("format", vec![ls(&[])]),
        "format: argument must be a string, got list"
    );
}

#[test]
fn formatlist_zips_lists_and_repeats_scalars() {
    assert_eq!(
        ok(
            "formatlist",
            vec![s("arn:aws:iam::%s:%s"), ls(&["1", "2"]), s("root")]
        ),
        ls(&["arn:aws:iam::1:root", "arn:aws:iam::2:root"])
    );
    assert_eq!(
        ok(
            "formatlist",
            vec![s("%s-%s"), ls(&["a", "b"]), l(vec![s("x"), unk("var.y")])]
        ),
        ls(&["a-x", "b-${var.y}"])
    );
    assert_eq!(ok("formatlist", vec![s("%s"), s("a")]), ls(&["a"]));
    assert_eq!(ok("formatlist", vec![s("%s"), ls(&[])]), ls(&[]));
    assert_eq!(ok("formatlist", vec![s("%s"), unk("var.l")]), unk("var.l"));
}

#[test]
fn formatlist_errors() {
    assert_eq!(
        err("formatlist", vec![s("%s%s"), ls(&["a", "b"]), ls(&["c"])]),
        "formatlist: argument 3 has length 1, which is inconsistent with argument 2 of length 2"
    );
    assert_eq!(
        err("formatlist", vec![s("%d"), ls(&["x"])]),
        r#"formatlist: error on format iteration 0: unsupported value for "%d" at 0: a number is required"#
    );
    assert_eq!(
        err("formatlist", vec![]),
        "formatlist: expected at least 1 argument, got 0"
    );
}

// ---------------------------------------------------------------- strings

#[test]
fn join_writes_unknown_elements_as_interpolations() {
    assert_eq!(
        ok("join", vec![s(","), ls(&["a", "b"]), l(vec![n(1)])]),
        s("a,b,1")
    );
    assert_eq!(
        ok("join", vec![s(":"), l(vec![s("a"), unk("var.b")])]),
        s("a:${var.b}")
    );
    assert_eq!(ok("join", vec![s(":"), unk("var.l")]), unk("var.l"));
}

#[test]
fn join_errors() {
    assert_eq!(
        err("join", vec![s(",")]),
        "join: expected at least 2 arguments, got 1"
    );
    assert_eq!(
        err("join", vec![s(","), l(vec![s("a"), Value::Null])]),
        "join: element 1 of argument 2 is null; cannot concatenate null values"
    );
    assert_eq!(
        err("join", vec![s(","), s("a")]),
        "join: argument 2 must be a list, got string"
    );
}

#[test]
fn split_on_separator() {
    assert_eq!(
        ok("split", vec![s(","), s("a,b,,c")]),
        ls(&["a", "b", "", "c"])
    );
    assert_eq!(ok("split", vec![s(","), s("")]), ls(&[""]));
    assert_eq!(ok("split", vec![s(""), s("ab")]), ls(&["a", "b"]));
    assert_eq!(ok("split", vec![s(","), unk("x")]), unk("x"));
}

#[test]
fn split_errors() {
    assert_eq!(
        err("split", vec![s(",")]),
        "split: expected 2 arguments, got 1"
    );
    assert_eq!(
        err("split", vec![s(","), ls(&[])]),
        "split: argument 2 must be a string, got list"
    );
}

#[test]
fn replace_plain_and_regex() {
    assert_eq!(ok("replace", vec![s("a.b.c"), s("."), s("-")]), s("a-b-c"));
    assert_eq!(
        ok("replace", vec![s("role-123"), s("/[0-9]+/"), s("N")]),
        s("role-N")
    );
    assert_eq!(
        ok("replace", vec![s("ab"), s("/(a)(b)/"), s("$2$1")]),
        s("ba")
    );
    assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("_")]), s("a_b"));
}

#[test]
fn replace_errors() {
    assert_eq!(
        err("replace", vec![s("a"), s("b")]),
        "replace: expected 3 arguments, got 2"
    );
    assert!(
        err("replace", vec![s("a"), s("/(/"), s("")])
            .starts_with("replace: invalid regular expression pattern: ")
    );
    assert_eq!(
        err("replace", vec![ls(&[]), s("a"), s("b")]),
        "replace: argument 1 must be a string, got list"
    );
}

#[test]
fn case_and_trimming() {
    assert_eq!(ok("lower", vec![s("HeLLo")]), s("hello"));
    assert_eq!(ok("upper", vec![s("héllo")]), s("HÉLLO"));
    assert_eq!(
        ok("title", vec![s("hello wide-world")]),
        s("Hello Wide-World")
    );
    assert_eq!(ok("title", vec![s("don't stop")]), s("Don'T Stop"));
    assert_eq!(ok("trimspace", vec![s("  a b \n")]), s("a b"));
    assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
    assert_eq!(
        ok("trimprefix", vec![s("arn:aws:x"), s("arn:")]),
        s("aws:x")
    );
    assert_eq!(ok("trimprefix", vec![s("x"), s("arn:")]), s("x"));
    assert_eq!(
        ok("trimsuffix", vec![s("file.json"), s(".json")]),
        s("file")
    );
    assert_eq!(ok("chomp", vec![s("a\r\n\n")]), s("a"));
    assert_eq!(ok("strrev", vec![s("abc")]), s("cba"));
    assert_eq!(ok("indent", vec![n(2), s("a\nb")]), s("a\n  b"));
    assert_eq!(ok("lower", vec![unk("x")]), unk("x"));
}

#[test]
fn case_and_trimming_errors() {
    assert_eq!(
        err("lower", vec![ls(&[])]),
        "lower: argument must be a string, got list"
    );
    assert_eq!(err("upper", vec![]), "upper: expected 1 argument, got 0");
    assert_eq!(
        err("title", vec![obj(&[])]),
        "title: argument must be a string, got object"
    );
    assert_eq!(
        err("trimspace", vec![Value::Null]),
        "trimspace: argument must be a string, got null"
    );
    assert_eq!(
        err("trim", vec![s("a")]),
        "trim: expected 2 arguments, got 1"
    );
    assert_eq!(
        err("trimprefix", vec![s("a")]),
        "trimprefix: expected 2 arguments, got 1"
    );
    assert_eq!(
        err("trimsuffix", vec![s("a"), ls(&[])]),
        "trimsuffix: argument 2 must be a string, got list"
    );
    assert_eq!(
        err("chomp", vec![ls(&[])]),
        "chomp: argument must be a string, got list"
    );
    assert_eq!(err("strrev", vec![]), "strrev: expected 1 argument, got 0");
    assert_eq!(
        err("indent", vec![n(-1), s("a")]),
        "indent: spaces must be between 0 and 10000"
    );
}

#[test]
fn startswith_endswith_strcontains() {
    assert_eq!(ok("startswith", vec![s("arn:aws:iam"), s("arn:")]), b(true));
    assert_eq!(ok("startswith", vec![s("arn:aws:iam"), s("aws")]), b(false));
    assert_eq!(ok("endswith", vec![s("role/ci"), s("/ci")]), b(true));
    assert_eq!(ok("endswith", vec![s("role/ci"), s("/cd")]), b(false));
    assert_eq!(ok("strcontains", vec![s("abc"), s("b")]), b(true));
    assert_eq!(ok("strcontains", vec![s("abc"), s("z")]), b(false));
    // Strings holding an unknown answer only what their known text decides.
    assert_eq!(
        ok("startswith", vec![s("arn:${var.p}:iam"), s("arn:")]),
        b(true)
    );
    assert_eq!(
        ok("startswith", vec![s("arn:${var.p}:iam"), s("arn:aws")]),
        unk("var.p")
    );
    assert_eq!(
        ok("startswith", vec![s("arn:${var.p}:iam"), s("xrn")]),
        b(false)
    );
    assert_eq!(ok("endswith", vec![s("${var.r}/ci"), s("/ci")]), b(true));
    assert_eq!(
        ok("endswith", vec![s("${var.r}/ci"), s("role/ci")]),
        unk("var.r")
    );
    assert_eq!(
        ok("strcontains", vec![s("a${var.x}"), s("z")]),
        unk("var.x")
    );
}

#[test]
fn startswith_endswith_strcontains_errors() {
    assert_eq!(
        err("startswith", vec![s("a")]),
        "startswith: expected 2 arguments, got 1"
    );
    assert_eq!(
        err("endswith", vec![ls(&[]), s("a")]),
        "endswith: argument 1 must be a string, got list"
    );
    assert_eq!(
        err("strcontains", vec![s("a"), obj(&[])]),
        "strcontains: argument 2 must be a string, got object"
    );
}

#[test]
fn substr_by_characters() {
    assert_eq!(ok("substr", vec![s("hello world"), n(1), n(4)]), s("ello"));
    assert_eq!(ok("substr", vec![s("héllo"), n(1), n(-1)]), s("éllo"));
    assert_eq!(ok("substr", vec![s("hello"), n(-3), n(2)]), s("ll"));
    assert_eq!(ok("substr", vec![s("hello"), n(-30), n(2)]), s("he"));
    assert_eq!(ok("substr", vec![s("hello"), n(10), n(2)]), s(""));
}

#[test]
fn substr_errors() {
    assert_eq!(
        err("substr", vec![s("a"), n(0)]),
        "substr: expected 3 arguments, got 2"
    );
    assert_eq!(
        err("substr", vec![s("a"), s("x"), n(1)]),
        "substr: argument 2 must be a number, got string"
    );
}

#[test]
fn regex_results_by_group_shape() {
    assert_eq!(ok("regex", vec![s("[a-z]+"), s("123abc456")]), s("abc"));
    assert_eq!(
        ok(
            "regex",
            vec![s("^arn:([^:]*):([^:]*)"), s("arn:aws:iam::1:root")]
        ),
        ls(&["aws", "iam"])
    );
    assert_eq!(
        ok(
            "regex",
            vec![
                s("(?P<acct>[0-9]{12}):(?P<rest>.*)"),
                s("arn:aws:iam::123456789012:root")
            ]
        ),
        obj(&[("acct", s("123456789012")), ("rest", s("root"))])
    );
    assert_eq!(
        ok("regex", vec![s("(a)|(b)"), s("b")]),
        l(vec![Value::Null, s("b")])
    );
    assert_eq!(
        ok("regexall", vec![s("[0-9]+"), s("a1b22c")]),
        ls(&["1", "22"])
    );
    assert_eq!(
        ok("regexall", vec![s("(\\w)=(\\w)"), s("a=1 b=2")]),
        l(vec![ls(&["a", "1"]), ls(&["b", "2"])])
    );
    assert_eq!(ok("regexall", vec![s("z"), s("abc")]), ls(&[]));
}

#[test]
fn regex_errors() {
    assert_eq!(
        err("regex", vec![s("z"), s("abc")]),
        "regex: pattern did not match any part of the given string"
    );
    assert_eq!(
        err("regex", vec![s("(?P<a>x)(y)"), s("xy")]),
        "regex: regex pattern cannot mix both named and unnamed capture groups"
    );
    assert!(
        err("regexall", vec![s("("), s("x")])
            .starts_with("regexall: invalid regular expression pattern: ")
    );
    assert_eq!(
        err("regex", vec![s("a")]),
        "regex: expected 2 arguments, got 1"
    );
    assert_eq!(
        err("regexall", vec![ls(&[]), s("a")]),
        "regexall: argument 1 must be a string, got list"
    );
}

// ---------------------------------------------------------------- encodings and numbers

#[test]
fn base64_and_urlencode() {
    assert_eq!(
        ok("base64encode", vec![s("Hello, World")]),
        s("SGVsbG8sIFdvcmxk")
    );
    assert_eq!(ok("base64encode", vec![s("ab")]), s("YWI="));
    assert_eq!(
        ok("base64decode", vec![s("SGVsbG8sIFdvcmxk")]),
        s("Hello, World")
    );
    assert_eq!(ok("base64decode", vec![s("YWI=")]), s("ab"));
    assert_eq!(ok("base64decode", vec![s("YQ==")]), s("a"));
    assert_eq!(
        ok("urlencode", vec![s("a b/c?d=é")]),
        s("a+b%2Fc%3Fd%3D%C3%A9")
    );
}

#[test]
fn base64_and_urlencode_errors() {
    assert_eq!(
        err("base64decode", vec![s("YWI")]),
        "base64decode: failed to decode base64 data"
    );
    assert_eq!(
        err("base64decode", vec![s("Y=Q=")]),
        "base64decode: failed to decode base64 data"
    );
    assert_eq!(
        err("base64decode", vec![s("/w==")]),
        "base64decode: the result of decoding the provided string is not valid UTF-8"
    );
    assert_eq!(
        err("base64encode", vec![ls(&[])]),
        "base64encode: argument must be a string, got list"
    );
    assert_eq!(
        err("urlencode", vec![]),
        "urlencode: expected 1 argument, got 0"
    );
}

#[test]
fn number_functions() {
    assert_eq!(ok("abs", vec![n(-3)]), n(3));
    assert_eq!(ok("abs", vec![fl(-1.5)]), fl(1.5));
    assert_eq!(ok("ceil", vec![fl(1.2)]), n(2));
    assert_eq!(ok("floor", vec![fl(-1.2)]), n(-2));
    assert_eq!(ok("min", vec![n(3), n(1), fl(2.5)]), n(1));
    assert_eq!(ok("max", vec![n(3), s("7"), fl(2.5)]), n(7));
    assert_eq!(ok("max", vec![n(1), unk("x")]), unk("x"));
    assert_eq!(ok("signum", vec![n(-9)]), n(-1));
    assert_eq!(ok("pow", vec![n(2), n(10)]), n(1024));
    assert_eq!(ok("parseint", vec![s("ff"), n(16)]), n(255));
    assert_eq!(ok("parseint", vec![s("-101"), n(2)]), n(-5));
}

#[test]
fn number_function_errors() {
    assert_eq!(
        err("abs", vec![s("x")]),
        "abs: argument must be a number, got string"
    );
    assert_eq!(err("ceil", vec![]), "ceil: expected 1 argument, got 0");
    assert_eq!(
        err("floor", vec![ls(&[])]),
        "floor: argument must be a number, got list"
    );
    assert_eq!(
        err("min", vec![]),
        "min: expected at least 1 argument, got 0"
    );
    assert_eq!(
        err("max", vec![n(1), ls(&[])]),
        "max: argument 2 must be a number, got list"
    );
    assert_eq!(
        err("signum", vec![b(true)]),
        "signum: argument must be a number, got bool"
    );
    assert_eq!(err("pow", vec![n(1)]), "pow: expected 2 arguments, got 1");
    assert_eq!(
        err("parseint", vec![s("zz"), n(10)]),
        r#"parseint: cannot parse "zz" as a base 10 integer"#
    );
    assert_eq!(
        err("parseint", vec![s("1"), n(1)]),
        "parseint: base must be a whole number between 2 and 36"
    );
}

// ---------------------------------------------------------------- AWS provider functions

#[test]
fn arn_parse_and_build() {
    let parsed = ok(
        "provider::aws::arn_parse",
        vec![s("arn:aws:iam::123456789012:role/path/ci:x")],
    );
    assert_eq!(
        parsed,
        obj(&[
            ("partition", s("aws")),
            ("service", s("iam")),
            ("region", s("")),
            ("account_id", s("123456789012")),
            ("resource", s("role/path/ci:x")),
        ])
    );
    // An unknown inside the string does not split it.
    let partial = ok(
        "provider::aws::arn_parse",
        vec![s(r#"arn:aws:iam::${lookup(var.m, "a:b")}:root"#)],
    );
    assert_eq!(
        partial.get("account_id"),
        Some(&s(r#"${lookup(var.m, "a:b")}"#))
    );
    assert_eq!(partial.get("resource"), Some(&s("root")));
    assert_eq!(
        ok(
            "provider::aws::arn_build",
            vec![s("aws"), s("iam"), s(""), unk("var.account"), s("root")]
        ),
        s("arn:aws:iam::${var.account}:root")
    );
    assert_eq!(
        ok("provider::aws::arn_parse", vec![unk("var.arn")]),
        unk("var.arn")
    );
}

#[test]
fn arn_errors() {
    assert_eq!(
        err("provider::aws::arn_parse", vec![s("arn:aws:iam")]),
        r#"provider::aws::arn_parse: invalid ARN "arn:aws:iam": not enough sections"#
    );
    assert_eq!(
        err("provider::aws::arn_parse", vec![s("urn:aws:iam::1:root")]),
        r#"provider::aws::arn_parse: invalid ARN "urn:aws:iam::1:root": invalid prefix"#
    );
    assert_eq!(
        err("provider::aws::arn_build", vec![s("aws")]),
        "provider::aws::arn_build: expected 5 arguments, got 1"
    );
    assert_eq!(
        err(
            "provider::aws::arn_build",
            vec![s("aws"), s("iam"), s(""), ls(&[]), s("root")]
        ),
        "provider::aws::arn_build: argument 4 must be a string, got list"
    );
}

// ---------------------------------------------------------------- files

#[test]
fn file_reads_inside_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let module = root.join("modules/role");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(module.join("trust.json"), "{\"Version\":\"2012-10-17\"}").expect("write");
    std::fs::write(root.join("shared.json"), "shared").expect("write");
    assert_eq!(
        run_in(root, &module, "file", vec![s("trust.json")]),
        Ok(s("{\"Version\":\"2012-10-17\"}"))
    );
    assert_eq!(
        run_in(root, &module, "file", vec![s("../../shared.json")]),
        Ok(s("shared"))
    );
    let abs = root.join("shared.json").display().to_string();
    assert_eq!(
        run_in(root, &module, "file", vec![s(&abs)]),
        Ok(s("shared"))
    );
    assert_eq!(
        run_in(root, &module, "fileexists", vec![s("trust.json")]),
        Ok(b(true))
    );
    assert_eq!(
        run_in(root, &module, "fileexists", vec![s("nope.json")]),
        Ok(b(false))
    );
    assert_eq!(
        run_in(root, &module, "file", vec![unk("var.path")]),
        Ok(unk("var.path"))
    );
}

#[test]
fn file_refuses_paths_outside_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    let module = root.join("m");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(dir.path().join("secret.txt"), "secret").expect("write");
    assert_eq!(
        run_in(&root, &module, "file", vec![s("../../etc/passwd")]),
        Err(r#"file: "../../etc/passwd" is outside the scanned root"#.to_string())
    );
    assert_eq!(
        run_in(&root, &module, "file", vec![s("/etc/passwd")]),
        Err(r#"file: "/etc/passwd" is outside the scanned root"#.to_string())
    );
    assert_eq!(
        run_in(&root, &module, "file", vec![s("../../secret.txt")]),
        Err(r#"file: "../../secret.txt" is outside the scanned root"#.to_string())
    );
    assert_eq!(
        run_in(&root, &module, "fileexists", vec![s("../../secret.txt")]),
        Err(r#"fileexists: "../../secret.txt" is outside the scanned root"#.to_string())
    );
}

#[cfg(unix)]
#[test]
fn file_refuses_symlinks_leading_outside_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(dir.path().join("secret.txt"), "secret").expect("write");
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(dir.path(), root.join("outdir")).expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("missing"), root.join("dangling")).expect("symlink");
    std::fs::write(root.join("inside.txt"), "inside").expect("write");
    std::os::unix::fs::symlink(root.join("inside.txt"), root.join("ok-link.txt")).expect("symlink");
    assert_eq!(
        run_in(&root, &root, "file", vec![s("link.txt")]),
        Err(r#"file: "link.txt" is outside the scanned root"#.to_string())
    );
    assert_eq!(
        run_in(&root, &root, "file", vec![s("outdir/secret.txt")]),
        Err(r#"file: "outdir/secret.txt" is outside the scanned root"#.to_string())
    );
    assert_eq!(
        run_in(&root, &root, "file", vec![s("dangling")]),
        Err(r#"file: "dangling" is outside the scanned root"#.to_string())
    );
    assert_eq!(
        run_in(&root, &root, "file", vec![s("ok-link.txt")]),
        Ok(s("inside"))
    );
}

#[test]
fn file_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("bin"), [0xff_u8, 0xfe]).expect("write");
    std::fs::create_dir(root.join("sub")).expect("mkdir");
    assert_eq!(
        run_in(root, root, "file", vec![s("missing.json")]),
        Err(r#"file: no file exists at "missing.json""#.to_string())
    );
    assert_eq!(
        run_in(root, root, "file", vec![s("bin")]),
        Err(r#"file: contents of "bin" are not valid UTF-8"#.to_string())
    );
    assert_eq!(
        run_in(root, root, "file", vec![s("sub")]),
        Err(r#"file: "sub" is a directory, not a file"#.to_string())
    );
    assert_eq!(
        run_in(root, root, "file", vec![]),
        Err("file: expected 1 argument, got 0".to_string())
    );
    assert_eq!(
        run_in(root, root, "file", vec![ls(&[])]),
        Err("file: argument must be a string, got list".to_string())
    );
}

#[test]
fn basename_and_dirname() {
    assert_eq!(ok("basename", vec![s("foo/bar/baz.txt")]), s("baz.txt"));
    assert_eq!(ok("basename", vec![s("foo/bar/")]), s("bar"));
    assert_eq!(ok("dirname", vec![s("foo/bar/baz.txt")]), s("foo/bar"));
    assert_eq!(ok("dirname", vec![s("baz.txt")]), s("."));
    assert_eq!(ok("dirname", vec![s("/a")]), s("/"));
    assert_eq!(
        err("basename", vec![ls(&[])]),
        "basename: argument must be a string, got list"
    );
    assert_eq!(
        err("dirname", vec![]),
        "dirname: expected 1 argument, got 0"
    );
}

// ---------------------------------------------------------------- robustness

/// Every function, called with assorted hostile arguments, returns rather
/// than panicking.
#[test]
fn no_function_panics_on_odd_input() {
    let samples = vec![
        Value::Null,
        b(true),
        n(-1),
        n(i64::MAX),
        Value::Number(u64::MAX.into()),
        fl(1e300),
        fl(-0.5),
        s(""),
        s("%"),
        s("%[0]s%[99999999999999999999]d%.s%-+# 0999999999999v"),
        s("/(/"),
        s("${"),
        s("é\u{0}"),
        l(vec![]),
        l(vec![Value::Null, unk("u"), l(vec![]), obj(&[])]),
        obj(&[("a", unk("u"))]),
        unk("u"),
    ];
    for name in supported_names() {
        for arity in 0..4 {
            let mut idx = vec![0usize; arity];
            loop {
                let args: Vec<Value> = idx.iter().map(|i| samples[*i].clone()).collect();
                let _ = run(name, args);
                // Next combination (only a sample for 3 arguments).
                let mut k = 0;
                loop {
                    if k == arity {
                        break;
                    }
                    idx[k] += if arity == 3 { 4 } else { 1 };
                    if idx[k] < samples.len() {
                        break;
                    }
                    idx[k] = 0;
                    k += 1;
                }
                if k == arity {
                    break;
                }
            }
        }
    }
}

/// Strings holding `${…}` (partly unknown text) make functions that must
/// parse or search them unknown instead of failing.
#[test]
fn partly_unknown_strings_are_unknown_where_they_decide() {
    assert_eq!(
        ok("jsondecode", vec![s(r#"{"a": ${var.x}}"#)]),
        unk("var.x")
    );
    assert_eq!(
        ok("jsondecode", vec![s(r#"{"a": "${var.x}"}"#)]),
        obj(&[("a", s("${var.x}"))])
    );
    assert_eq!(ok("tonumber", vec![s("${var.n}")]), unk("var.n"));
    assert_eq!(ok("tobool", vec![s("${var.b}")]), unk("var.b"));
    assert_eq!(ok("element", vec![ls(&["a"]), s("${var.i}")]), unk("var.i"));
    assert_eq!(
        ok(
            "regex",
            vec![s("[0-9]{12}"), s("arn:aws:iam::${var.a}:root")]
        ),
        unk("var.a")
    );
    assert_eq!(
        ok("regex", vec![s("^arn"), s("arn:aws:iam::${var.a}:root")]),
        s("arn")
    );
    assert_eq!(
        ok("regexall", vec![s("[0-9]"), s("1${var.a}")]),
        unk("var.a")
    );
    assert_eq!(
        ok("file", vec![s("${var.dir}/policy.json")]),
        unk("var.dir")
    );
    // IAM policy variables are text, not unknowns.
    assert_eq!(ok("length", vec![s("${aws:username}")]), n(15));
}

#[test]
fn matchkeys_filters_by_keys() {
    assert_eq!(
        ok(
            "matchkeys",
            vec![ls(&["i-1", "i-2", "i-3"]), ls(&["a", "b", "a"]), ls(&["a"])]
        ),
        ls(&["i-1", "i-3"])
    );
    assert_eq!(
        ok(
            "matchkeys",
            vec![ls(&["x"]), l(vec![unk("var.k")]), ls(&["a"])]
        ),
        unk("var.k")
    );
    assert_eq!(
        err("matchkeys", vec![ls(&["x"]), ls(&[]), ls(&[])]),
        "matchkeys: length of keys and values should be equal"
    );
    assert_eq!(
        err("matchkeys", vec![ls(&[])]),
        "matchkeys: expected 3 arguments, got 1"
    );
}

#[test]
fn cidr_functions() {
    assert_eq!(
        ok("cidrsubnet", vec![s("10.1.2.0/16"), n(8), n(3)]),
        s("10.1.3.0/24")
    );
    assert_eq!(
        ok("cidrsubnet", vec![s("172.16.0.0/12"), n(4), n(2)]),
        s("172.18.0.0/16")
    );
    assert_eq!(
        ok(
            "cidrsubnet",
            vec![s("fd00:fd12:3456:7890::/56"), n(16), n(162)]
        ),
        s("fd00:fd12:3456:7800:a200::/72")
    );
    assert_eq!(
        ok("cidrhost", vec![s("10.12.112.0/20"), n(16)]),
        s("10.12.112.16")
    );
    assert_eq!(
        ok("cidrhost", vec![s("10.12.112.0/20"), n(-1)]),
        s("10.12.127.255")
    );
    assert_eq!(
        ok("cidrnetmask", vec![s("172.16.0.0/12")]),
        s("255.240.0.0")
    );
    assert_eq!(
        ok("cidrsubnet", vec![unk("var.cidr"), n(8), n(1)]),
        unk("var.cidr")
    );
}

#[test]
fn cidr_function_errors() {
    assert_eq!(
        err("cidrsubnet", vec![s("10.0.0.0/30"), n(8), n(1)]),
        "cidrsubnet: insufficient address space to extend prefix of 30 by 8"
    );
    assert_eq!(
        err("cidrsubnet", vec![s("10.0.0.0/16"), n(2), n(4)]),
        "cidrsubnet: prefix extension of 2 does not accommodate a subnet numbered 4"
    );
    assert_eq!(
        err("cidrsubnet", vec![s("10.0.0.0"), n(2), n(1)]),
        r#"cidrsubnet: invalid CIDR expression: "10.0.0.0""#
    );
    assert_eq!(
        err("cidrhost", vec![s("10.0.0.0/30"), n(4)]),
        "cidrhost: prefix of 30 does not accommodate a host numbered 4"
    );
    assert_eq!(
        err("cidrnetmask", vec![s("::/64")]),
        "cidrnetmask: only IPv4 networks are supported"
    );
    assert_eq!(
        err("cidrhost", vec![s("10.0.0.0/8")]),
        "cidrhost: expected 2 arguments, got 1"
    );
}

#[test]
fn apply_time_functions_are_unknown() {
    assert_eq!(ok("timestamp", vec![]), unk("timestamp()"));
    assert_eq!(ok("uuid", vec![]), unk("uuid()"));
    assert_eq!(
        err("timestamp", vec![n(1)]),
        "timestamp: expected 0 arguments, got 1"
    );
}

/// Deterministic pseudo-random format strings never panic `format`.
#[test]
fn format_never_panics_on_generated_specs() {
    const ALPHABET: &[char] = &[
        '%', '[', ']', '0', '1', '2', '9', '.', '-', '+', '#', ' ', 'v', 's', 'd', 'q', 'x', 'X',
        'b', 'o', 'f', 'e', 'E', 'g', 'G', 't', 'é', 'a',
    ];
    let args = [
        n(-42),
        fl(-0.000123),
        fl(1e300),
        s("héllo"),
        b(true),
        Value::Null,
        unk("u"),
        ls(&["a"]),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 12) as usize;
        let spec: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let nargs = (next() % 4) as usize;
        let mut a = vec![s(&spec)];
        for _ in 0..nargs {
            a.push(args[(next() % args.len() as u64) as usize].clone());
        }
        let _ = run("format", a.clone());
        let _ = run("formatlist", a);
    }
}

#[test]
fn digests_match_terraform() {
    assert_eq!(
        ok("md5", vec![s("hello world")]),
        s("5eb63bbbe01eeed093cb22bb8f5acdc3")
    );
    assert_eq!(
        ok("sha1", vec![s("hello world")]),
        s("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
    );
    assert_eq!(
        ok("sha256", vec![s("hello world")]),
        s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    );
    assert_eq!(
        ok("base64sha256", vec![s("hello world")]),
        s("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
    );
    assert_eq!(
        ok("uuidv5", vec![s("dns"), s("www.terraform.io")]),
        s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
    );
    assert_eq!(
        ok(
            "uuidv5",
            vec![
                s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                s("www.terraform.io")
            ]
        ),
        s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
    );
    assert!(err("uuidv5", vec![s("nope"), s("x")]).starts_with("uuidv5: "));
    // Unknown in, unknown out: a digest of half a string is no digest.
    assert_eq!(ok("sha256", vec![unk("var.x")]), unk("var.x"));
    assert_eq!(ok("md5", vec![s("a-${var.x}")]), unk("var.x"));
}

#[test]
fn yamldecode_follows_terraforms_mapping() {
    assert_eq!(
        ok("yamldecode", vec![s("hello: world")]),
        obj(&[("hello", s("world"))])
    );
    assert_eq!(ok("yamldecode", vec![s("true")]), b(true));
    assert_eq!(ok("yamldecode", vec![s("")]), Value::Null);
    assert_eq!(
        ok(
            "yamldecode",
            vec![s(
                "a: yes\nb: 'yes'\nc: 12\nd: 1.5\ne: ~\nf: 0x1F\ng: 2026-01-31\nh: [1, two]\n1: one\n"
            )]
        ),
        obj(&[
            ("1", s("one")),
            ("a", b(true)),
            ("b", s("yes")),
            ("c", n(12)),
            ("d", fl(1.5)),
            ("e", Value::Null),
            ("f", n(31)),
            ("g", s("2026-01-31T00:00:00Z")),
            ("h", l(vec![n(1), s("two")])),
        ])
    );
    assert_eq!(
        ok("yamldecode", vec![s("{a: &foo [1, 2, 3], b: *foo}")]),
        obj(&[
            ("a", l(vec![n(1), n(2), n(3)])),
            ("b", l(vec![n(1), n(2), n(3)]))
        ])
    );
    assert_eq!(
        ok(
            "yamldecode",
            vec![s("base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  y: 3\n")]
        ),
        obj(&[
            ("base", obj(&[("x", n(1)), ("y", n(2))])),
            ("over", obj(&[("x", n(1)), ("y", n(3))])),
        ])
    );
    assert!(err("yamldecode", vec![s("{a: &foo [1, *foo, 3]}")]).starts_with("yamldecode: "));
    assert!(err("yamldecode", vec![s("{a: !not-supported foo}")]).contains("unsupported tag"));
    assert!(err("yamldecode", vec![s("a: 1\n---\nb: 2\n")]).contains("more than one"));
    assert!(err("yamldecode", vec![s("a: [1, 2")]).contains("line"));
    // A template with an unknown in place of a value is unknown, not an error.
    assert_eq!(ok("yamldecode", vec![s("a: [${var.x}")]), unk("var.x"));
}

#[test]
fn yamldecode_refuses_documents_that_explode() {
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(err("yamldecode", vec![s(&doc)]).contains("expands to more than"));
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let e = err("yamldecode", vec![s(&deep)]);
    assert!(e.contains("levels deep") || e.contains("recursion"), "{e}");
}

#[test]
fn yamlencode_writes_what_terraform_writes() {
    assert_eq!(ok("yamlencode", vec![s("hello")]), s("\"hello\"\n"));
    assert_eq!(ok("yamlencode", vec![b(true)]), s("true\n...\n"));
    assert_eq!(ok("yamlencode", vec![obj(&[])]), s("{}\n"));
    assert_eq!(ok("yamlencode", vec![l(vec![])]), s("[]\n"));
    assert_eq!(
        ok("yamlencode", vec![obj(&[("a", s("b")), ("c", s("d"))])]),
        s("\"a\": \"b\"\n\"c\": \"d\"\n")
    );
    assert_eq!(
        ok(
            "yamlencode",
            vec![obj(&[
                ("foo", l(vec![n(1), n(2), n(3)])),
                ("bar", s("baz"))
            ])]
        ),
        s("\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n")
    );
    assert_eq!(
        ok(
            "yamlencode",
            vec![obj(&[
                (
                    "foo",
                    l(vec![n(1), obj(&[("a", s("b")), ("c", s("d"))]), n(3)])
                ),
                ("bar", s("baz")),
            ])]
        ),
        s("\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n")
    );
    assert_eq!(
        ok(
            "yamlencode",
            vec![obj(&[("k", obj(&[("x", s("tab\there"))]))])]
        ),
        s("\"k\":\n  \"x\": \"tab\\there\"\n")
    );
    assert_eq!(
        ok("yamlencode", vec![obj(&[("a", unk("var.x"))])]),
        unk("var.x")
    );
    // What yamlencode writes, yamldecode reads back.
    let v = obj(&[
        ("l", l(vec![obj(&[("n", n(1))]), l(vec![s("x")])])),
        ("s", s("a\"b")),
    ]);
    let text = ok("yamlencode", vec![v.clone()]);
    assert_eq!(ok("yamldecode", vec![text]), v);
}

#[test]
fn yamlencode_writes_long_and_multiline_strings_as_terraform_does() {
    // Lines break as `|` blocks, each line at the value's indent.
    assert_eq!(
        ok("yamlencode", vec![obj(&[("a", s("x\ny"))])]),
        s("\"a\": |-\n  x\n  y\n")
    );
    assert_eq!(
        ok("yamlencode", vec![l(vec![s("x\n"), s("\ny\n\n")])]),
        s("- |\n  x\n- |2+\n\n  y\n\n")
    );
    assert_eq!(ok("yamlencode", vec![s("x\ny")]), s("|-\n  x\n  y\n"));
    // A space before a line break cannot be a block: double-quoted.
    assert_eq!(
        ok("yamlencode", vec![obj(&[("a", s("x \ny"))])]),
        s("\"a\": \"x \\ny\"\n")
    );
    // Past 80 columns a double-quoted string folds at a space.
    let long = vec!["word"; 30].join(" ");
    let encoded = ok("yamlencode", vec![obj(&[("k", s(&long))])]);
    let Value::String(text) = &encoded else {
        panic!("{encoded:?}")
    };
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.chars().count() > 80 && first.chars().count() < 90,
        "{text}"
    );
    assert!(
        text.lines().nth(1).is_some_and(|l| l.starts_with("  word")),
        "{text}"
    );
    assert_eq!(
        ok("yamldecode", vec![encoded.clone()]),
        obj(&[("k", s(&long))])
    );
    // Characters outside the printable set are escaped; others stay.
    assert_eq!(
        ok("yamlencode", vec![s("é\u{85}\u{1F600}\u{a0}")]),
        s("\"é\\N\\U0001F600\u{a0}\"\n")
    );
}
