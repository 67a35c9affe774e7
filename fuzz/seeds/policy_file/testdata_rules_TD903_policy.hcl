# The policy file as the change leaves it: TD002 off, a vendor moved into
# the organisation, its external id no longer required.
organization {
  id       = "o-abcdefghij"
  accounts = ["111111111111", "222222222222"]
}

account "999988887777" {
  name = "vendor-x"
}

rule "TD002" {
  enabled = false
}
