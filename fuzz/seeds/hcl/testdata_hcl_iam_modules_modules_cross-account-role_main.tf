variable "name" {
  type = string
}

variable "trusted_accounts" {
  description = "Account id => external id it must present (null for none)"
  type        = map(string)
}

variable "organization_id" {
  type    = string
  default = null
}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = var.trusted_accounts
    iterator = account

    content {
      sid     = "Account${account.key}"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${account.key}:root"]
      }

      dynamic "condition" {
        for_each = account.value == null ? [] : [account.value]
        content {
          test     = "StringEquals"
          variable = "sts:ExternalId"
          values   = [condition.value]
        }
      }

      dynamic "condition" {
        for_each = var.organization_id == null ? [] : [var.organization_id]
        content {
          test     = "StringEquals"
          variable = "aws:PrincipalOrgID"
          values   = [condition.value]
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}
