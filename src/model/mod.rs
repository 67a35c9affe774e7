//! Pure data and pure functions, no I/O: values, locations, policy documents,
//! principals, conditions, ARNs, Bedrock Regions and resources, the
//! inventory and its trust grants.

pub mod arn;
pub mod aws_managed;
pub mod bedrock;
pub mod date;
pub mod inventory;
pub mod json;
pub mod location;
pub mod policy;
pub mod principal;
pub mod severity;
pub mod small_map;
pub mod value;
