data "aws_iam_policy_document" "shapes" {
  policy_id = "shapes"

  statement {
    sid       = "Anyone"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:aws:s3:::bucket/&{aws:username}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }

  statement {
    effect  = "Deny"
    actions = ["sts:TagSession", "sts:AssumeRole", "sts:SetSourceIdentity", "sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "ec2.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["zeta", "alpha"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc"]
    }
  }

  statement {
    sid           = "NotStuff"
    not_actions   = ["iam:*"]
    not_resources = ["arn:aws:iam::*:role/admin", "arn:aws:iam::*:role/break-glass"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
  }
}

data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Keep"
    actions = ["s3:GetObject"]
  }
  statement {
    sid     = "Replace"
    actions = ["s3:PutObject"]
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid     = "Replace"
    effect  = "Deny"
    actions = ["s3:DeleteObject"]
  }
  statement {
    actions = ["s3:ListBucket"]
  }
}

variable "extra_principals" {
  default = {
    first  = "arn:aws:iam::222222222222:role/a"
    second = "arn:aws:iam::333333333333:role/b"
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]

  statement {
    sid     = "Own"
    actions = ["sts:AssumeRole"]
  }

  dynamic "statement" {
    for_each = var.extra_principals
    content {
      sid     = title(statement.key)
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }
}

data "aws_iam_policy_document" "duplicate_source_sid" {
  source_policy_documents = [
    data.aws_iam_policy_document.base.json,
    data.aws_iam_policy_document.base.json,
  ]
}
