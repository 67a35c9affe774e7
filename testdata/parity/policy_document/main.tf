variable "ci_repos" {
  type    = list(string)
  default = ["acme/infra", "acme/app"]
}

data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Ec2"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
  statement {
    sid     = "Break"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
  }
}

data "aws_iam_policy_document" "fix" {
  statement {
    sid     = "Break"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:role/admin"]
    }
  }
}

data "aws_iam_policy_document" "trust" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.fix.json]

  dynamic "statement" {
    for_each = var.ci_repos
    content {
      sid     = "Ci${statement.key}"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "token.actions.githubusercontent.com:aud"
        values   = ["sts.amazonaws.com"]
      }
      condition {
        test     = "StringLike"
        variable = "token.actions.githubusercontent.com:sub"
        values   = ["repo:${statement.value}:ref:refs/heads/main", "repo:${statement.value}:environment:prod"]
      }
    }
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
