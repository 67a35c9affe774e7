# Arguments Terraform refuses in trust-bearing blocks.

data "aws_iam_policy_document" "typos" {
  statement {
    action = ["sts:AssumeRole"]
    principal {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
  }

  dynamic "statement" {
    for_each = ["x"]
    content {
      actions = ["sts:AssumeRole"]
      principals {
        type       = "Service"
        identifier = ["ec2.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = ["111122223333"]
        banana   = true
      }
    }
  }
}

resource "aws_iam_role" "typo" {
  name               = "typo"
  assume_role_policy = data.aws_iam_policy_document.typos.json
  assume_role        = "{}"
}

# Near miss: every argument and block Terraform accepts, meta-arguments and
# dynamic blocks included.
data "aws_iam_policy_document" "clean" {
  count     = 1
  policy_id = "clean"
  version   = "2012-10-17"

  statement {
    sid           = "Assume"
    effect        = "Allow"
    actions       = ["sts:AssumeRole"]
    not_resources = []
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    dynamic "condition" {
      for_each = ["o-abc123def4"]
      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "clean" {
  count                = 1
  name                 = "clean"
  path                 = "/"
  assume_role_policy   = data.aws_iam_policy_document.clean[0].json
  max_session_duration = 3600
  tags                 = { owner = "platform" }

  inline_policy {
    name   = "none"
    policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  }

  lifecycle {
    create_before_destroy = true
  }
}
