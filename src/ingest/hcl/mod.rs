//! Terraform HCL: walk, parse, evaluate, functions, modules, policy documents.
//! Evaluated resources become [`ResourceInstance`](super::ResourceInstance)s
//! with the same attribute shape a plan would give.

pub mod functions;
