//! Tests of every function: ordinary use, errors, unknowns.
