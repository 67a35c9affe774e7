variable "trusted_account" {
  type    = string
  default = "111111111111"
}

variable "session_hours" {
  type    = number
  default = 1
}

variable "principal_type" {
  type    = string
  default = "AWS"
}

resource "aws_iam_role" "cross" {
  name                 = "cross"
  max_session_duration = var.session_hours * 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { (var.principal_type) = "arn:aws:iam::${var.trusted_account}:root" }
    }]
  })
}
