variable "role_name" {
  type = string
}

variable "trusted_role_arns" {
  type    = list(string)
  default = []
}

variable "trusted_role_services" {
  type    = list(string)
  default = []
}

variable "trusted_role_actions" {
  type    = list(string)
  default = ["sts:AssumeRole", "sts:TagSession"]
}

variable "role_requires_mfa" {
  type    = bool
  default = true
}

variable "mfa_age" {
  type    = number
  default = 86400
}

variable "role_sts_externalid" {
  type    = any
  default = []
}

variable "trust_policy_conditions" {
  type = list(object({
    test     = string
    variable = string
    values   = list(string)
  }))
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  role_sts_externalid = flatten([var.role_sts_externalid])
}

data "aws_iam_policy_document" "assume_role" {
  dynamic "statement" {
    for_each = length(var.trusted_role_arns) + length(var.trusted_role_services) > 0 ? [1] : []

    content {
      effect  = "Allow"
      actions = compact(distinct(concat(["sts:AssumeRole"], var.trusted_role_actions)))

      principals {
        type        = "AWS"
        identifiers = var.trusted_role_arns
      }

      principals {
        type        = "Service"
        identifiers = var.trusted_role_services
      }

      dynamic "condition" {
        for_each = var.role_requires_mfa ? [1] : []
        content {
          test     = "Bool"
          variable = "aws:MultiFactorAuthPresent"
          values   = ["true"]
        }
      }

      dynamic "condition" {
        for_each = var.role_requires_mfa ? [1] : []
        content {
          test     = "NumericLessThan"
          variable = "aws:MultiFactorAuthAge"
          values   = [var.mfa_age]
        }
      }

      dynamic "condition" {
        for_each = length(local.role_sts_externalid) != 0 ? [true] : []
        content {
          test     = "StringEquals"
          variable = "sts:ExternalId"
          values   = local.role_sts_externalid
        }
      }

      dynamic "condition" {
        for_each = var.trust_policy_conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

output "arn" {
  value = aws_iam_role.this.arn
}
