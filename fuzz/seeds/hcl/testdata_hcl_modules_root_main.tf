variable "teams" {
  default = {
    blue  = "111111111111"
    green = "222222222222"
  }
}

module "team" {
  source   = "../modules/role"
  for_each = var.teams
  name     = "team-${each.key}"
  trusted  = ["arn:aws:iam::${each.value}:root"]
}

module "counted" {
  source  = "../modules/role"
  count   = 2
  name    = "counted-${count.index}"
  trusted = ["arn:aws:iam::33333333333${count.index}:root"]
}

module "remote" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "6.5.0"
  name    = "remote"
}

module "unscanned" {
  source = "git::https://example.com/iam.git?ref=v1"
  name   = "unscanned"
}

resource "aws_iam_role" "uses_outputs" {
  name = "uses-outputs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = [module.team["blue"].role_name, module.counted[1].role_name, module.unscanned.arn] }
    }]
  })
  description = join(",", [for k, m in module.team : m.role_name])
}
