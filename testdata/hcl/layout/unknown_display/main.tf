# Values not known before apply beside IAM policy variables, which are
# literal policy text.

variable "partner_account" {
  type = string
}

variable "cluster_issuer" {
  type = string
}

resource "aws_iam_role" "partner" {
  name = "partner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${var.partner_account}:root" }
      Condition = {
        StringEquals = { "aws:PrincipalTag/team" = "$${aws:username}" }
      }
    }]
  })
}

resource "aws_iam_role" "irsa" {
  name = "irsa"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${var.cluster_issuer}" }
      Condition = {
        StringEquals = { "${var.cluster_issuer}:sub" = "system:serviceaccount:app:web" }
      }
    }]
  })
}

# Near miss: known in full; the policy variable is not an unknown.
resource "aws_iam_role" "known" {
  name = "known"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Condition = {
        StringLike = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/$${aws:PrincipalTag/team}-*" }
      }
    }]
  })
}
