//! Prints what the HCL ingester reads from a path (a development aid).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    match trustdrift::ingest::hcl::load(std::path::Path::new(&path), &Default::default()) {
        Ok(ing) => {
            for i in &ing.instances {
                println!("{} {:?}", i.address, i.provenance.location);
                if let trustdrift::model::value::Value::Object(m) = &i.attrs {
                    for (k, v) in m {
                        println!("    {k} = {}", v.to_json());
                    }
                }
                for (k, l) in &i.provenance.statements {
                    println!("    stmt {k:?} at {l}");
                }
            }
            for n in &ing.notes {
                println!("note {}: {} ({:?})", n.location, n.message, n.address);
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
