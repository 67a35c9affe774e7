variable "services" {
  type    = list(string)
  default = ["lambda.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com"]
}

data "aws_iam_policy_document" "service" {
  count = length(var.services)
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [var.services[count.index]]
    }
  }
}

resource "aws_iam_role" "service" {
  count              = length(var.services)
  name               = "svc-${count.index}"
  assume_role_policy = data.aws_iam_policy_document.service[count.index].json
}
