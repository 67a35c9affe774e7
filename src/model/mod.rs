//! Pure data and pure functions, no I/O: values, locations, policy documents,
//! principals, conditions, ARNs, the inventory and its trust grants.

pub mod location;
pub mod value;
