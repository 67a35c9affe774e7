data "aws_caller_identity" "current" {}

# The door: another account may assume x, which may do nothing with Bedrock.
resource "aws_iam_role" "x" {
  name = "x"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::222222222222:root" }
    }]
  })
}

# x may assume y, and y may invoke models.
resource "aws_iam_role" "y" {
  name = "y"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/x" }
    }]
  })
}

resource "aws_iam_policy" "invoke" {
  name = "invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = "arn:aws:bedrock:eu-central-1::foundation-model/*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "y_invoke" {
  role       = aws_iam_role.y.name
  policy_arn = aws_iam_policy.invoke.arn
}
