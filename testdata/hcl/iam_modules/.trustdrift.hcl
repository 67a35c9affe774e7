organization {
  id       = "o-abc123def4"
  accounts = ["111111111111"]
}

account "222233334444" {
  name     = "partner-a"
  requires = ["sts:ExternalId"]
}
