organization {
  accounts = ["111111111111"]
}

# Accepted for the vendor's role only.
suppress {
  rule    = "TD002"
  address = "aws_iam_role.vendor*"
  reason  = "vendor onboarding SEC-12"
  expires = "2099-01-31"
}
