//! Writes the benches' generated inputs, for `benches/compare.sh`:
//! `gen_plan plan RESOURCES FILE` (a `terraform show -json` plan) or
//! `gen_plan tf FILES DIR` (a tree of `.tf` files).

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [what, n, out] if what == "plan" => {
            n.parse::<usize>().map_err(|e| e.to_string()).and_then(|n| {
                let mut f =
                    std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| e.to_string())?);
                common::write_plan(n, &mut f).map_err(|e| e.to_string())
            })
        }
        [what, n, out] if what == "tf" => {
            n.parse::<usize>().map_err(|e| e.to_string()).and_then(|n| {
                common::write_tf_tree(std::path::Path::new(out), n).map_err(|e| e.to_string())
            })
        }
        _ => Err("usage: gen_plan plan RESOURCES FILE | gen_plan tf FILES DIR".to_string()),
    };
    if let Err(e) = result {
        eprintln!("gen_plan: {e}");
        std::process::exit(2);
    }
}
