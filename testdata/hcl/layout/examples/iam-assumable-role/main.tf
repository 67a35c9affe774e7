# An example directory beside its repository's modules, as public IAM module
# repositories lay them out: judged from here, the module is read because
# this example calls it.

module "instance_profile_role" {
  source = "../../../iam_modules/modules/assumable-role"

  role_name = "ec2-app"
  trusted_role_arns = [
    "arn:aws:iam::307990089504:root",
    "arn:aws:iam::835367859851:user/anton",
  ]
  trusted_role_services = ["ec2.amazonaws.com"]
  role_requires_mfa     = false
}

# Near miss: the same foreign principals, but only with MFA.
module "mfa_role" {
  source = "../../../iam_modules/modules/assumable-role"

  role_name = "admin-mfa"
  trusted_role_arns = [
    "arn:aws:iam::307990089504:root",
    "arn:aws:iam::835367859851:user/anton",
  ]
}
