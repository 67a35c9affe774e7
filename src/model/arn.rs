//! Amazon Resource Names, split into their six parts.

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// Twelve ASCII digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_six_parts_keeping_colons_in_the_resource() {
        let a = Arn::parse("arn:aws:sts::123456789012:assumed-role/r/s:x").expect("arn");
        assert_eq!(
            (a.service, a.account, a.resource),
            ("sts", "123456789012", "assumed-role/r/s:x")
        );
        assert!(Arn::parse("arn:aws:iam").is_none());
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("1234567890123"));
    }
}
