//! Analysis of the model: which principal gets into which role, through
//! which statement, narrowed by which conditions; which identity may invoke
//! Bedrock where (with the pure checks against the policy's `bedrock` block
//! that the rules call).

pub mod admission;
pub mod bedrock;
pub mod copies;
pub mod drift;
pub mod metadata;
pub mod permissions;
pub mod trust;
