# trustdrift's built-in policy: what applies when the scanned root has no
# .trustdrift.hcl and no --policy is given. Copy it to .trustdrift.hcl and add
# your organisation's accounts so that trust between them is judged as yours:
#
#   organization {
#     id       = "o-exampleorgid"
#     accounts = ["111111111111", "222222222222"]
#   }
#
#   # A known third party and the condition it must present.
#   account "999988887777" {
#     name     = "vendor-x"
#     requires = ["sts:ExternalId"]
#     owner    = "team-vendors"
#   }
#
#   rule "TD003" {
#     severity = "high"
#   }
#
#   # Where identities may invoke Amazon Bedrock. Without this block no
#   # Region is restricted, and cross-Region inference profiles are still
#   # reported (at low severity) with the Regions they route to.
#   bedrock {
#     allowed_regions  = ["eu-west-1", "eu-central-1"]
#     allowed_profiles = ["eu"]            # add "global" to accept global profiles
#     allowed_accounts = ["111111111111"]  # optional: owners of invoked resources
#     allowed_models   = ["anthropic.claude-*", "amazon.nova-*"]  # optional
#   }
#
# Without organization.accounts, the account of each role itself counts as
# the only account that is yours.

# Where owner and expiry of cross-account trust are read from (role tags).
metadata {
  owner_tags      = ["owner"]
  expiry_tag      = "trust-expires"
  review_tag      = "trust-reviewed"
  ticket_tag      = "trust-ticket"
  max_expiry_days = 90
}
