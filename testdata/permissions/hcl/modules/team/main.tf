variable "role" {
  type = string
}

resource "aws_iam_policy" "extra" {
  count = 2
  name  = "extra-${count.index}"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock:InvokeFlow", Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "extra" {
  count      = 2
  role       = var.role
  policy_arn = aws_iam_policy.extra[count.index].arn
}
