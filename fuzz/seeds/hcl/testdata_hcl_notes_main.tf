data "aws_availability_zones" "available" {}

locals {
  enabled = length(data.aws_availability_zones.available.names) > 0
}

# Unknown count, known trust: the note changes nothing and is left out.
resource "aws_iam_role" "known_trust" {
  count = local.enabled ? 1 : 0
  name  = "known-trust"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

# Unknown count on a permissions policy: no trust there, left out.
resource "aws_iam_policy" "permissions" {
  count  = local.enabled ? 1 : 0
  name   = "permissions"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}

# Unknown count and an unknown principal: reported.
resource "aws_iam_role" "unknown_trust" {
  count = local.enabled ? 1 : 0
  name  = "unknown-trust"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = data.aws_availability_zones.available.id } }]
  })
}

# A module the scan cannot read: reported, whatever it holds.
module "remote_roles" {
  source = "git::https://example.com/roles.git?ref=v2"
}
