variable "partners" {
  type = map(object({
    account     = string
    external_id = string
  }))
  default = {
    acme   = { account = "222222222222", external_id = "acme-1" }
    globex = { account = "333333333333", external_id = "globex-7" }
  }
}

resource "aws_iam_role" "partner" {
  for_each = var.partners
  name     = "partner-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${each.value.account}:root" }
      Condition = { StringEquals = { "sts:ExternalId" = each.value.external_id } }
    }]
  })
}
