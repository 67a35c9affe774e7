//! Helpers shared by the HCL ingester tests.
#![allow(dead_code)]

use std::path::Path;

use trustdrift::ingest::hcl::{HclOptions, load};
use trustdrift::ingest::{Ingested, ResourceInstance};
use trustdrift::model::value::Value;

pub fn load_ok(path: impl AsRef<Path>) -> Ingested {
    load_with(path, &HclOptions::default())
}

pub fn load_with(path: impl AsRef<Path>, opts: &HclOptions) -> Ingested {
    match load(path.as_ref(), opts) {
        Ok(i) => i,
        Err(e) => panic!("load {} failed: {e}", path.as_ref().display()),
    }
}

pub fn instance<'a>(ing: &'a Ingested, address: &str) -> &'a ResourceInstance {
    ing.instances
        .iter()
        .find(|i| i.address == address)
        .unwrap_or_else(|| {
            let all: Vec<&str> = ing.instances.iter().map(|i| i.address.as_str()).collect();
            panic!("no instance {address}; have {all:?}")
        })
}

pub fn attr<'a>(ing: &'a Ingested, address: &str, name: &str) -> &'a Value {
    instance(ing, address)
        .attrs
        .get(name)
        .unwrap_or_else(|| panic!("{address} has no attribute {name}"))
}

pub fn string<'a>(ing: &'a Ingested, address: &str, name: &str) -> &'a str {
    match attr(ing, address, name) {
        Value::String(s) => s,
        other => panic!("{address}.{name} is not a string: {other:?}"),
    }
}

/// A policy attribute parsed as JSON.
pub fn json(ing: &Ingested, address: &str, name: &str) -> serde_json::Value {
    serde_json::from_str(string(ing, address, name))
        .unwrap_or_else(|e| panic!("{address}.{name} is not JSON: {e}"))
}

pub fn addresses(ing: &Ingested, rtype: &str) -> Vec<String> {
    let mut v: Vec<String> = ing
        .instances
        .iter()
        .filter(|i| i.resource_type == rtype)
        .map(|i| i.address.clone())
        .collect();
    v.sort();
    v
}

/// Writes files into a fresh temporary directory.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (name, text) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }
    dir
}
