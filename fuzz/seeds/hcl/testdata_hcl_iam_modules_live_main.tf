variable "account_id" {
  type    = string
  default = "111111111111"
}

module "admin" {
  source            = "../modules/assumable-role"
  role_name         = "admin"
  trusted_role_arns = ["arn:aws:iam::${var.account_id}:root"]
  tags              = { owner = "platform" }
}

module "vendor_audit" {
  source              = "../modules/assumable-role"
  role_name           = "vendor-audit"
  trusted_role_arns   = ["arn:aws:iam::999988887777:root"]
  role_requires_mfa   = false
  role_sts_externalid = "c0ffee-7e57"
}

module "github" {
  for_each   = { deploy = ["my-org/deploy:ref:refs/heads/main"], any = ["my-org/*"] }
  source     = "../modules/github-oidc-role"
  name       = "github-${each.key}"
  account_id = var.account_id
  subjects   = each.value
}

module "partners" {
  source = "../modules/cross-account-role"
  name   = "partners"
  trusted_accounts = {
    "222233334444" = "partner-a-4711"
    "555566667777" = null
  }
}
