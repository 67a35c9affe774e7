//! The run's limits, and the budget every root module of a run spends.

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;

use crate::model::location::Location;
use crate::model::value::Value;

use super::{EvalErr, Evaluator, Scope};

/// The most resource and module instances one run expands (`count`,
/// `for_each`, module calls, across every root module): past it the run
/// stops with an error naming the block, instead of growing without bound.
pub const MAX_INSTANCES: usize = 100_000;
/// The most `for` expression iterations one run evaluates (nested `for`s
/// multiply: three over `range(1024)` would be a billion).
pub const MAX_FOR_ITERATIONS: usize = 5_000_000;
/// The most string bytes one run builds by templates and function calls.
pub const MAX_STRING_BYTES: usize = 512 << 20;

/// The most value nodes (list and object elements, counted deep) one run
/// builds in list and object constructors and function results:
/// `[local.b, local.b]` chains double at each step.
pub const MAX_VALUE_NODES: usize = 4_000_000;

/// What a run may still spend: its limits, counted down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub instances: usize,
    pub for_iterations: usize,
    pub string_bytes: usize,
    pub value_nodes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            instances: MAX_INSTANCES,
            for_iterations: MAX_FOR_ITERATIONS,
            string_bytes: MAX_STRING_BYTES,
            value_nodes: MAX_VALUE_NODES,
        }
    }
}

/// Nodes in `v` (itself and every element, deep), counting no further than
/// `cap`.
fn weight(v: &Value, cap: usize) -> usize {
    let mut n = 1usize;
    match v {
        Value::List(items) => {
            for i in items {
                if n > cap {
                    break;
                }
                n += weight(i, cap - n);
            }
        }
        Value::Object(m) => {
            for i in m.values() {
                if n > cap {
                    break;
                }
                n += weight(i, cap - n);
            }
        }
        _ => {}
    }
    n
}

impl<'a> Evaluator<'a> {
    /// Takes `n` instances from the budget; `false` (and the limit recorded
    /// at `block`) when there are not that many left.
    pub(super) fn spend(&self, n: usize, block: &Block, scope: &Scope) -> bool {
        let mut budget = self.budget.get();
        if n <= budget.instances && self.limit_hit.borrow().is_none() {
            budget.instances -= n;
            self.budget.set(budget);
            return true;
        }
        let what = scope.addr.as_deref().unwrap_or("a block");
        self.hit_limit(
            self.loc(scope, block.span()),
            format!(
                "{what} expands to {n} more instances, past the limit of {MAX_INSTANCES} resource and module instances per run (limit max_instances)"
            ),
        );
        false
    }

    /// Records the first limit hit; the run ends with it.
    pub(super) fn hit_limit(&self, loc: Location, message: String) {
        if self.limit_hit.borrow().is_none() {
            *self.limit_hit.borrow_mut() = Some(crate::error::Error::at(
                &loc.file,
                loc.line,
                loc.column,
                format!("{message}: trustdrift stops rather than judge part of the configuration"),
            ));
        }
    }

    /// Spends evaluation work (`for` iterations, string bytes built) from the
    /// run's budget; past it, an error that ends the evaluation.
    pub(super) fn spend_work(
        &self,
        iterations: usize,
        bytes: usize,
        scope: &Scope,
        expr: &Expression,
    ) -> Result<(), EvalErr> {
        let mut budget = self.budget.get();
        if iterations <= budget.for_iterations && bytes <= budget.string_bytes {
            budget.for_iterations -= iterations;
            budget.string_bytes -= bytes;
            self.budget.set(budget);
            return Ok(());
        }
        let loc = self.loc(scope, expr.span());
        let message = if iterations > budget.for_iterations {
            format!(
                "for expressions iterate more than {MAX_FOR_ITERATIONS} times in this run (limit max_for_iterations)"
            )
        } else {
            format!(
                "more than {} MiB of strings are built in this run (limit max_string_bytes)",
                MAX_STRING_BYTES >> 20
            )
        };
        self.hit_limit(loc.clone(), message.clone());
        Err(EvalErr {
            loc,
            msg: message,
            text: self.text(scope, expr),
        })
    }

    /// Spends the nodes of a value built by a constructor or a function.
    pub(super) fn spend_nodes(
        &self,
        v: &Value,
        scope: &Scope,
        expr: &Expression,
    ) -> Result<(), EvalErr> {
        let mut budget = self.budget.get();
        let n = weight(v, budget.value_nodes);
        if n <= budget.value_nodes {
            budget.value_nodes -= n;
            self.budget.set(budget);
            return Ok(());
        }
        let loc = self.loc(scope, expr.span());
        let message = format!(
            "more than {MAX_VALUE_NODES} list and object elements are built in this run (limit max_value_nodes)"
        );
        self.hit_limit(loc.clone(), message.clone());
        Err(EvalErr {
            loc,
            msg: message,
            text: self.text(scope, expr),
        })
    }

    /// Once a limit is hit, evaluation stops everywhere at once.
    pub(super) fn stopped(&self, scope: &Scope, expr: &Expression) -> Option<EvalErr> {
        self.limit_hit.borrow().as_ref().map(|e| EvalErr {
            loc: self.loc(scope, expr.span()),
            msg: e.to_string(),
            text: self.text(scope, expr),
        })
    }
}
