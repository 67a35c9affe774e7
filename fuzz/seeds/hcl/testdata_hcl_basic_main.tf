variable "account_id" {
  type    = string
  default = "111111111111"
}

variable "trusted" {
  type = list(string)
}

locals {
  principals = [for a in var.trusted : "arn:aws:iam::${a}:root"]
  name       = "ci-${var.account_id}"
}

resource "aws_iam_role" "ci" {
  name = local.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = local.principals }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = aws_iam_openid_connect_provider.gh.arn }
      },
    ]
  })
  tags = { owner = "team-a" }
}

resource "aws_iam_openid_connect_provider" "gh" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "heredoc" {
  name               = "${aws_iam_role.ci.name}-heredoc"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRole",
          "Principal": { "AWS": "arn:aws:iam::${var.account_id}:root" }
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "Vendor"
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222222222222:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["x-<&>"]
    }
  }
}

resource "aws_iam_role" "doc" {
  name               = "doc"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
