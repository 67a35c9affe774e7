data "aws_caller_identity" "current" {}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::222222222222:root" }
      Condition = { StringEquals = { "sts:ExternalId" = "app-7f3a" } }
    }]
  })
}

resource "aws_iam_policy" "invoke" {
  name = "invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "bedrock:InvokeModel"
      Resource = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "app_invoke" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.invoke.arn
}
