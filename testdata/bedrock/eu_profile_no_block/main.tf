resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = "sts:AssumeRole"
        Principal = {
          Service = "lambda.amazonaws.com"
        }
      },
    ]
  })
  tags = {
    owner = "team-ml"
  }
}

resource "aws_iam_policy" "invoke" {
  name = "invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "EuProfile"
        Effect   = "Allow"
        Action   = "bedrock:InvokeModel"
        Resource = "arn:aws:bedrock:eu-west-1:111111111111:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
      },
      {
        Sid    = "EuModels"
        Effect = "Allow"
        Action = "bedrock:InvokeModel"
        Resource = [
          "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
          "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
          "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
          "arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
        ]
        Condition = {
          StringEquals = {
            "bedrock:InferenceProfileArn" = "arn:aws:bedrock:eu-west-1:111111111111:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
          }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "app_invoke" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.invoke.arn
}
