//! trustdrift: who may assume which IAM role, under which conditions, and
//! whether that trust is scoped. The pipeline as library calls.

pub mod analyze;
pub mod config;
pub mod error;
pub mod ingest;
pub mod model;
pub mod rules;

pub use error::{Error, Result};
