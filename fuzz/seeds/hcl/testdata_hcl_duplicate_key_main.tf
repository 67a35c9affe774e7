# Terraform accepts a key written twice in one object and keeps the later
# value. Here the second Principal hides the first from a quick review.
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111111111111:role/deploy" }
      Condition = { StringEquals = { "sts:ExternalId" = "c0ffee-7e57" } }
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
    }]
  })
}

locals {
  tags = {
    "owner" = "team-a"
    "owner" = "team-b"
  }
}

resource "aws_iam_role" "tagged" {
  name = "tagged"
  tags = local.tags
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
