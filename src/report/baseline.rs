//! `baseline show`: the snapshot as a compliance reviewer reads it, every
//! grant grouped by the account it admits, with its owner, expiry, ticket,
//! approval and days left, and what has expired or is about to.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value as J, json};

use super::{terminal_safe as safe, to_pretty};
use crate::baseline::{Baseline, Entry};
use crate::model::date::Date;

/// The state of one entry's approval on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Unapproved,
    Expired,
    /// Expires within the warning window.
    Expiring,
    Approved,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Unapproved => "unapproved",
            Standing::Expired => "expired",
            Standing::Expiring => "expiring",
            Standing::Approved => "approved",
        }
    }
}

/// One entry as shown.
struct Row<'a> {
    entry: &'a Entry,
    standing: Standing,
    days_left: Option<i64>,
    /// The approval was given for other content than the grant has now.
    stale_approval: bool,
}

/// The account a grant's principal belongs to, or what kind of caller it is.
fn group_of(entry: &Entry) -> String {
    let content = entry.content.value();
    let principal = content
        .get("principal")
        .and_then(J::as_str)
        .unwrap_or_default();
    let account = principal
        .split(':')
        .find(|p| p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()));
    match (account, principal.split_once(':').map(|(k, _)| k)) {
        (Some(a), _) => format!("account {a}"),
        (None, Some("Service")) => "services".to_string(),
        (None, Some("Federated")) => "federated identities".to_string(),
        _ => "other principals".to_string(),
    }
}

fn rows<'a>(b: &'a Baseline, today: Date, warn_days: u32) -> BTreeMap<String, Vec<Row<'a>>> {
    let mut out: BTreeMap<String, Vec<Row<'a>>> = BTreeMap::new();
    for e in b.entries.values() {
        let (standing, days_left, stale) = match &e.approval {
            None => (Standing::Unapproved, None, false),
            Some(a) => {
                let left = Date::parse(&a.expires).map(|d| d.days_since(today));
                let standing = match left {
                    Some(l) if l < 0 => Standing::Expired,
                    Some(l) if l <= i64::from(warn_days) => Standing::Expiring,
                    Some(_) => Standing::Approved,
                    None => Standing::Expired,
                };
                (standing, left, a.content_hash != e.hash)
            }
        };
        out.entry(group_of(e)).or_default().push(Row {
            entry: e,
            standing,
            days_left,
            stale_approval: stale,
        });
    }
    out
}

fn counts(groups: &BTreeMap<String, Vec<Row<'_>>>) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for r in groups.values().flatten() {
        *c.entry(r.standing.as_str()).or_insert(0) += 1;
    }
    c
}

pub fn render_text(b: &Baseline, today: Date, warn_days: u32) -> String {
    let groups = rows(b, today, warn_days);
    let mut out = String::new();
    for (group, rows) in &groups {
        let _ = writeln!(out, "{group}");
        for r in rows {
            let _ = writeln!(out, "  {}  [{}]", safe(&r.entry.key), r.standing.as_str());
            if let Some(a) = &r.entry.approval {
                let left = r
                    .days_left
                    .map(|d| format!(", {d} days left"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    owner {}, expires {}{left}, approved {}{}",
                    safe(&a.owner),
                    safe(&a.expires),
                    safe(&a.approved),
                    a.ticket
                        .as_deref()
                        .map(|t| format!(", ticket {}", safe(t)))
                        .unwrap_or_default()
                );
                let _ = writeln!(out, "    reason: {}", safe(&a.reason));
                if r.stale_approval {
                    let _ = writeln!(out, "    the grant changed since it was approved");
                }
            }
        }
    }
    let c = counts(&groups);
    let _ = writeln!(
        out,
        "{} grants: {} approved, {} expiring within {warn_days} days, {} expired, {} unapproved (as of {today}).",
        b.entries.len(),
        c.get("approved").unwrap_or(&0),
        c.get("expiring").unwrap_or(&0),
        c.get("expired").unwrap_or(&0),
        c.get("unapproved").unwrap_or(&0),
    );
    out
}

/// Text from the baseline made safe inside a Markdown table cell.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in safe(s).chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render_markdown(b: &Baseline, today: Date, warn_days: u32) -> String {
    let groups = rows(b, today, warn_days);
    let c = counts(&groups);
    let mut out = String::new();
    let _ = writeln!(out, "# Trust baseline as of {today}\n");
    let _ = writeln!(
        out,
        "{} grants: {} approved, {} expiring within {warn_days} days, {} expired, {} unapproved.\n",
        b.entries.len(),
        c.get("approved").unwrap_or(&0),
        c.get("expiring").unwrap_or(&0),
        c.get("expired").unwrap_or(&0),
        c.get("unapproved").unwrap_or(&0),
    );
    for (group, rows) in &groups {
        let _ = writeln!(out, "## {}\n", md(group));
        let _ = writeln!(
            out,
            "| grant | status | owner | expires | days left | ticket | reason |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for r in rows {
            let a = r.entry.approval.as_ref();
            let mut status = r.standing.as_str().to_string();
            if r.stale_approval {
                status.push_str(" (grant changed since)");
            }
            let _ = writeln!(
                out,
                "| {} | {status} | {} | {} | {} | {} | {} |",
                md(&r.entry.key),
                a.map(|a| md(&a.owner)).unwrap_or_default(),
                a.map(|a| md(&a.expires)).unwrap_or_default(),
                r.days_left.map(|d| d.to_string()).unwrap_or_default(),
                a.and_then(|a| a.ticket.as_deref())
                    .map(md)
                    .unwrap_or_default(),
                a.map(|a| md(&a.reason)).unwrap_or_default(),
            );
        }
        out.push('\n');
    }
    out
}

pub fn render_json(b: &Baseline, today: Date, warn_days: u32) -> String {
    let groups = rows(b, today, warn_days);
    let c = counts(&groups);
    let list: Vec<J> = groups
        .iter()
        .flat_map(|(g, rows)| {
            rows.iter().map(move |r| {
                json!({
                    "group": g,
                    "key": r.entry.key,
                    "subject": r.entry.subject,
                    "status": r.standing.as_str(),
                    "days_left": r.days_left,
                    "approval": r.entry.approval,
                    "approval_for_other_content": r.stale_approval,
                })
            })
        })
        .collect();
    to_pretty(&json!({
        "version": 1,
        "today": today.to_string(),
        "warn_days": warn_days,
        "grants": list,
        "summary": c,
    }))
}
