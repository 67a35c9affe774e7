variable "trusted" {
  type = list(string)
}

data "aws_iam_policy_document" "this" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.trusted
    }
  }
}

output "json" {
  value = data.aws_iam_policy_document.this.json
}
