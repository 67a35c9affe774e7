module "readonly" {
  source       = "./modules/trust_role"
  name         = "readonly"
  trusted_arns = ["arn:aws:iam::444444444444:root"]
}

module "deploy" {
  source       = "./modules/trust_role"
  name         = "deploy"
  trusted_arns = ["arn:aws:iam::555555555555:role/ci", "arn:aws:iam::555555555555:role/cd"]
  require_mfa  = true
}
