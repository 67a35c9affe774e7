variable "vendor_account" {
  type    = string
  default = "999988887777"
}

resource "aws_iam_role" "vendor" {
  name = "vendor-access"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "VendorAssume"
        Effect    = "Allow"
        Action    = ["sts:AssumeRole", "sts:TagSession"]
        Principal = { AWS = "arn:aws:iam::${var.vendor_account}:root" }
        Condition = {
          StringEquals = { "sts:ExternalId" = "vendor-ext-1" }
        }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = ["lambda.amazonaws.com", "ec2.amazonaws.com"] }
      },
    ]
  })
}
