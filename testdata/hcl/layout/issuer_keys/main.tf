# Federated principals that stay unknown (the provider lives in another
# stack): the condition keys name the issuer.

variable "github_provider_arn" {
  type = string
}

resource "aws_iam_role" "org_wide" {
  name = "gha-org-wide"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = var.github_provider_arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:example-org/*" }
      }
    }]
  })
}

# Near miss: pinned to one repository.
resource "aws_iam_role" "pinned" {
  name = "gha-pinned"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = var.github_provider_arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:example-org/deploy:environment:production"
        }
      }
    }]
  })
}
