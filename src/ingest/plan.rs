//! Plan and state JSON (`terraform show -json`).
