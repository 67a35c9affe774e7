//! Variable type constraints (`list(string)`, `map(object({a = optional(string, "x")}))`)
//! and the conversion Terraform applies to a variable's value: primitives
//! converted, optional object attributes filled with their defaults, sets
//! sorted and deduplicated.

use std::collections::BTreeMap;

use hcl::edit::expr::{Expression, ObjectKey};

use crate::model::value::Value;

/// A type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Any,
    String,
    Number,
    Bool,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>),
    Object(Vec<ObjAttr>),
    Tuple(Vec<Ty>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjAttr {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
    pub default: Option<Value>,
}

/// Reads a type expression. `eval_default` evaluates `optional(T, default)`
/// defaults (constants). Anything unreadable is `any`.
pub fn parse_type(expr: &Expression, eval_default: &dyn Fn(&Expression) -> Value) -> Ty {
    parse_inner(expr, eval_default, 0)
}

fn parse_inner(expr: &Expression, eval_default: &dyn Fn(&Expression) -> Value, depth: usize) -> Ty {
    if depth > 32 {
        return Ty::Any;
    }
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ty::String,
            "number" => Ty::Number,
            "bool" => Ty::Bool,
            "list" => Ty::List(Box::new(Ty::Any)),
            "map" => Ty::Map(Box::new(Ty::Any)),
            "set" => Ty::Set(Box::new(Ty::Any)),
            _ => Ty::Any,
        },
        Expression::Parenthesis(p) => parse_inner(p.inner(), eval_default, depth + 1),
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let arg = call.args.get(0);
            let inner = || {
                arg.map(|a| parse_inner(a, eval_default, depth + 1))
                    .unwrap_or(Ty::Any)
            };
            match name {
                "list" => Ty::List(Box::new(inner())),
                "set" => Ty::Set(Box::new(inner())),
                "map" => Ty::Map(Box::new(inner())),
                "tuple" => match arg {
                    Some(Expression::Array(items)) => Ty::Tuple(
                        items
                            .iter()
                            .map(|e| parse_inner(e, eval_default, depth + 1))
                            .collect(),
                    ),
                    _ => Ty::Any,
                },
                "object" => match arg {
                    Some(Expression::Object(obj)) => {
                        let mut attrs = Vec::new();
                        for (k, v) in obj.iter() {
                            let name = match k {
                                ObjectKey::Ident(i) => i.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => {
                                    s.value().to_string()
                                }
                                ObjectKey::Expression(Expression::Variable(i)) => {
                                    i.as_str().to_string()
                                }
                                _ => continue,
                            };
                            let (ty, optional, default) = match v.expr() {
                                Expression::FuncCall(opt)
                                    if opt.name.name.as_str() == "optional" =>
                                {
                                    let ty = opt
                                        .args
                                        .get(0)
                                        .map(|a| parse_inner(a, eval_default, depth + 1))
                                        .unwrap_or(Ty::Any);
                                    let default = opt.args.get(1).map(eval_default);
                                    (ty, true, default)
                                }
                                other => (parse_inner(other, eval_default, depth + 1), false, None),
                            };
                            attrs.push(ObjAttr {
                                name,
                                ty,
                                optional,
                                default,
                            });
                        }
                        Ty::Object(attrs)
                    }
                    _ => Ty::Any,
                },
                _ => Ty::Any,
            }
        }
        _ => Ty::Any,
    }
}

/// Whether values of this type come from the command line as raw strings.
pub fn is_primitive(ty: &Ty) -> bool {
    matches!(ty, Ty::Any | Ty::String | Ty::Number | Ty::Bool)
}

/// Converts `v` to `ty` the way Terraform does for variable values.
pub fn convert(v: Value, ty: &Ty) -> Result<Value, String> {
    convert_inner(v, ty, 0)
}

fn convert_inner(v: Value, ty: &Ty, depth: usize) -> Result<Value, String> {
    if depth > 64 {
        return Ok(v);
    }
    if matches!(v, Value::Unknown(_) | Value::Null) {
        return Ok(v);
    }
    match ty {
        Ty::Any => Ok(v),
        Ty::String => match v {
            Value::String(_) => Ok(v),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err("a string is required".into()),
        },
        Ty::Number => match v {
            Value::Number(_) => Ok(v),
            Value::String(s) => parse_number(s.trim())
                .map(Value::Number)
                .ok_or_else(|| format!("a number is required, not \"{s}\"")),
            _ => Err("a number is required".into()),
        },
        Ty::Bool => match v {
            Value::Bool(_) => Ok(v),
            Value::String(s) if s == "true" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" => Ok(Value::Bool(false)),
            _ => Err("a bool is required".into()),
        },
        Ty::List(inner) => match v {
            Value::List(items) => items
                .into_iter()
                .map(|i| convert_inner(i, inner, depth + 1))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            _ => Err("a list is required".into()),
        },
        Ty::Set(inner) => match v {
            Value::List(items) => {
                let items = items
                    .into_iter()
                    .map(|i| convert_inner(i, inner, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::List(set_order(items)))
            }
            _ => Err("a set is required".into()),
        },
        Ty::Map(inner) => match v {
            Value::Object(m) => m
                .into_iter()
                .map(|(k, i)| convert_inner(i, inner, depth + 1).map(|i| (k, i)))
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Value::Object),
            _ => Err("a map is required".into()),
        },
        Ty::Object(attrs) => match v {
            Value::Object(mut m) => {
                let mut out = BTreeMap::new();
                for a in attrs {
                    match m.remove(&a.name) {
                        Some(Value::Null) if a.optional => {
                            let d = a.default.clone().unwrap_or(Value::Null);
                            out.insert(a.name.clone(), convert_inner(d, &a.ty, depth + 1)?);
                        }
                        Some(val) => {
                            out.insert(a.name.clone(), convert_inner(val, &a.ty, depth + 1)?);
                        }
                        None if a.optional => {
                            let d = a.default.clone().unwrap_or(Value::Null);
                            out.insert(a.name.clone(), convert_inner(d, &a.ty, depth + 1)?);
                        }
                        None => return Err(format!("attribute \"{}\" is required", a.name)),
                    }
                }
                Ok(Value::Object(out))
            }
            _ => Err("an object is required".into()),
        },
        Ty::Tuple(tys) => match v {
            Value::List(items) if items.len() == tys.len() => items
                .into_iter()
                .zip(tys)
                .map(|(i, t)| convert_inner(i, t, depth + 1))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            _ => Err(format!("a tuple of {} elements is required", tys.len())),
        },
    }
}

/// Sets of primitives come out sorted and without duplicates.
fn set_order(mut items: Vec<Value>) -> Vec<Value> {
    if items.iter().all(|i| matches!(i, Value::String(_))) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        items.dedup();
    } else {
        let mut out: Vec<Value> = Vec::with_capacity(items.len());
        for i in items {
            if !out.contains(&i) {
                out.push(i);
            }
        }
        items = out;
    }
    items
}

/// Parses a decimal number as Terraform reads one.
pub fn parse_number(s: &str) -> Option<serde_json::Number> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.into());
    }
    let f: f64 = s.parse().ok()?;
    number_from_f64(f)
}

/// A float as a JSON number, integral values as integers.
pub fn number_from_f64(f: f64) -> Option<serde_json::Number> {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some((f as i64).into());
    }
    serde_json::Number::from_f64(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Ty {
        let e = hcl::edit::parser::parse_expr(src).unwrap_or_else(|_| Expression::null());
        parse_type(&e, &|e| match e {
            Expression::String(s) => Value::String(s.value().to_string()),
            _ => Value::Null,
        })
    }

    #[test]
    fn optional_attributes_get_defaults() {
        let t =
            ty(r#"object({ a = string, b = optional(string, "x"), c = optional(list(string)) })"#);
        let v = Value::Object(BTreeMap::from([("a".to_string(), Value::Number(1.into()))]));
        let out = convert(v, &t).unwrap_or(Value::Null);
        assert_eq!(out.get("a"), Some(&Value::String("1".into())));
        assert_eq!(out.get("b"), Some(&Value::String("x".into())));
        assert_eq!(out.get("c"), Some(&Value::Null));
    }

    #[test]
    fn sets_are_sorted_and_deduplicated() {
        let v = Value::List(vec![
            Value::String("b".into()),
            Value::String("a".into()),
            Value::String("b".into()),
        ]);
        assert_eq!(
            convert(v, &ty("set(string)")).unwrap_or(Value::Null),
            Value::List(vec![Value::String("a".into()), Value::String("b".into())])
        );
    }
}
