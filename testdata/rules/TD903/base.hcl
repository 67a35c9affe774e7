# The policy in force at the base revision.
organization {
  id       = "o-abcdefghij"
  accounts = ["111111111111"]
}

account "999988887777" {
  name     = "vendor-x"
  requires = ["sts:ExternalId"]
}
