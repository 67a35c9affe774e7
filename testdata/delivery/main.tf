# One tree with findings of each family, text a reviewer's renderer must
# not interpret, and suppressions (inline, and in .trustdrift.hcl).

resource "aws_iam_role" "vendor_audit" {
  name = "vendor-audit"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
    }]
  })
}

resource "aws_iam_role" "github_deploy" {
  name = "github-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:my-org/*" }
      }
    }]
  })
}

# Keys a pull request controls: Markdown, HTML, a mention, a workflow command.
resource "aws_iam_role" "hostile" {
  for_each = toset(["<img src=x onerror=alert(1)> @octocat `x` | **y** ::error::z %0A"])
  name     = "hostile"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

resource "aws_iam_role" "broken" {
  name               = "broken"
  assume_role_policy = "{\"Version\": \"2012-10-17\", \"Statement\": ["
}

resource "aws_iam_role" "knowledge_base" {
  name = "knowledge-base"
  # trustdrift:ignore TD006 reason="service role reviewed in SEC-7" expires=2099-01-31
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "bedrock.amazonaws.com" }
    }]
  })
}
