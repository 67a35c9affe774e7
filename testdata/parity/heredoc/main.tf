locals {
  org_id = "o-a1b2c3d4e5"
}

resource "aws_iam_role" "org_reader" {
  name               = "org-reader"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRole",
          "Principal": { "AWS": "*" },
          "Condition": {
            "StringEquals": { "aws:PrincipalOrgID": "${local.org_id}" }
          }
        }
      ]
    }
  EOT
}
