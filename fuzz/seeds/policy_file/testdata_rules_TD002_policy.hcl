# A known vendor and what it must present.
account "444455556666" {
  name     = "vendor-x"
  requires = ["sts:ExternalId"]
  owner    = "team-vendors"
}
