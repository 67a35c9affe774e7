variable "name" {
  type = string
}

variable "account_id" {
  type = string
}

variable "provider_url" {
  type    = string
  default = "token.actions.githubusercontent.com"
}

variable "audience" {
  type    = string
  default = "sts.amazonaws.com"
}

variable "subjects" {
  description = "Repositories, as org/repo:ref or org/*"
  type        = list(string)
  default     = []
}

locals {
  provider_url = trimprefix(var.provider_url, "https://")
  subjects     = [for s in var.subjects : startswith(s, "repo:") ? s : "repo:${s}"]
}

data "aws_iam_policy_document" "this" {
  statement {
    sid     = "GithubOidcAuth"
    effect  = "Allow"
    actions = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${var.account_id}:oidc-provider/${local.provider_url}"]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "${local.provider_url}:iss"
      values   = ["https://${local.provider_url}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.provider_url}:aud"
      values   = [var.audience]
    }

    dynamic "condition" {
      for_each = length(local.subjects) > 0 ? [1] : []
      content {
        test     = "StringLike"
        variable = "${local.provider_url}:sub"
        values   = local.subjects
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.this.json
}
