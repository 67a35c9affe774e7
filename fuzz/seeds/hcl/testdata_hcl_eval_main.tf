provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      owner = "platform"
      team  = "identity"
    }
  }
}

resource "aws_iam_role" "probe" {
  name = local.prefix
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.account_root }
    }]
  })
  description = jsonencode({
    doubled      = local.doubled
    by_parity    = local.by_parity
    arns         = local.arns
    externals    = local.externals
    first_id     = local.first_id
    arith        = local.arith
    logic        = local.logic
    picked       = local.picked
    unknown_ws   = local.unknown_ws
    tried        = local.tried
    can_alpha    = local.can_alpha
    can_gamma    = local.can_gamma
    template     = local.template
    module_dir   = local.module_dir
    services     = var.services
    broken       = local.broken
    sibling_name = aws_iam_role.per_account["alpha"].name
    sibling_arn  = aws_iam_role.per_account["alpha"].arn
    caller       = data.aws_caller_identity.current.account_id
  })
  max_session_duration = 3600 * 2
  tags = {
    team = "trust"
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "per_account" {
  for_each = var.accounts
  name     = "${local.prefix}-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${each.value.id}:root" }
      Condition = { StringEquals = { "sts:ExternalId" = each.value.external } }
    }]
  })
}

resource "aws_iam_role" "per_service" {
  for_each           = var.services
  name               = replace(each.value, ".amazonaws.com", "")
  assume_role_policy = local.rendered
}

resource "aws_iam_role" "counted" {
  count              = length(var.statements)
  name               = "counted-${count.index}"
  assume_role_policy = data.aws_iam_policy_document.dynamic[count.index].json
}

data "aws_iam_policy_document" "dynamic" {
  count = length(var.statements)
  dynamic "statement" {
    for_each = [var.statements[count.index]]
    iterator = st
    content {
      sid     = st.value.sid
      actions = ["sts:AssumeRole"]
      dynamic "principals" {
        for_each = st.value.principals
        content {
          type        = "AWS"
          identifiers = [principals.value]
        }
      }
    }
  }
}

resource "aws_s3_bucket" "ignored" {
  bucket = lookup({}, "never-evaluated")
}
