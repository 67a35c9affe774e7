resource "aws_iam_role" "partner" {
  name = "partner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::333333333333:root" }
      Condition = { StringEquals = { "sts:ExternalId" = "partner-91c2" } }
    }]
  })
}

# Another stack's policy: what it grants is not in this code.
resource "aws_iam_role_policy_attachment" "partner_shared" {
  role       = aws_iam_role.partner.name
  policy_arn = "arn:aws:iam::111111111111:policy/shared-invoke"
}

# Same account, no Bedrock reach, and nothing naming Bedrock: not reported.
resource "aws_iam_role" "batch" {
  name = "batch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "batch_shared" {
  role       = aws_iam_role.batch.name
  policy_arn = "arn:aws:iam::111111111111:policy/shared-batch"
}
