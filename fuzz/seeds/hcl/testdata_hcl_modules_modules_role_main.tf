variable "name" {
  type = string
}

variable "trusted" {
  type = list(string)
}

module "trust" {
  source  = "../trust"
  trusted = var.trusted
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = module.trust.json
}

output "role_name" {
  value = aws_iam_role.this.name
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
