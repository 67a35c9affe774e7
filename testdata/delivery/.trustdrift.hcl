organization {
  accounts = ["111111111111"]
}

# Expired: suppresses nothing, reported (TD902).
suppress {
  rule    = "TD004"
  address = "aws_iam_role.github_*"
  reason  = "deploy role migration SEC-9"
  expires = "2020-01-31"
}

# Matches nothing: reported (TD902).
suppress {
  rule    = "TD011"
  address = "module.legacy.*"
  reason  = "legacy stack SEC-3"
}

# No reason: suppresses nothing, reported (TD902).
suppress {
  rule    = "TD001"
  address = "aws_iam_role.hostile*"
}
