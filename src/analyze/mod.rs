//! Judgement-free analysis of the model: which principal gets into which
//! role, through which statement, narrowed by which conditions.

pub mod admission;
pub mod bedrock;
pub mod copies;
pub mod drift;
pub mod metadata;
pub mod trust;
