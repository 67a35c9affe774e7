//! The Terraform functions that trust and Bedrock code uses, over
//! [`Value`](crate::model::value::Value), propagating unknowns.

use std::path::Path;

use crate::model::value::Value;

/// What a function may need besides its arguments.
pub struct FuncContext<'a> {
    /// The scanned root: `file()` never reads outside it.
    pub root: &'a Path,
    /// The directory of the module whose code calls the function
    /// (`path.module`); relative `file()` paths resolve against it.
    pub module_dir: &'a Path,
}

/// Calls Terraform function `name` (`jsonencode`, `provider::aws::arn_parse`).
/// `Err` holds a one-line message without a location; the evaluator adds the
/// file, line and column of the call.
pub fn call(name: &str, args: Vec<Value>, ctx: &FuncContext<'_>) -> Result<Value, String> {
    let _ = (args, ctx);
    Err(format!("function `{name}` is not supported"))
}
