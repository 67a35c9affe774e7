resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::222222222222:role/deployer" }
      Condition = { StringEquals = { "sts:ExternalId" = "app-7f3a" } }
    }]
  })
  permissions_boundary = aws_iam_policy.boundary.arn
}

resource "aws_iam_policy" "invoke" {
  name = "invoke"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    }]
  })
}

resource "aws_iam_policy" "boundary" {
  name = "boundary"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "bedrock:*"
      Resource  = "*"
      Condition = { StringEquals = { "aws:RequestedRegion" = "eu-west-1" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "app_invoke" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.invoke.arn
}

resource "aws_iam_role_policy_attachment" "app_full" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
}

resource "aws_iam_role_policy" "app_inline" {
  name = "inline"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock:InvokeAgent", Resource = "*" }]
  })
}

module "team" {
  source = "./modules/team"
  role   = aws_iam_role.app.name
}
