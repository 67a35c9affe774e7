variable "account" {
  type = string
}

variable "env" {
  type    = string
  default = "dev"
}

variable "accounts" {
  type = map(object({
    id       = string
    external = optional(string, "none")
  }))
  default = {
    alpha = { id = "111111111111" }
    beta  = { id = "222222222222", external = "ext-b" }
  }
}

variable "services" {
  type    = set(string)
  default = ["lambda.amazonaws.com", "ec2.amazonaws.com", "lambda.amazonaws.com"]
}

variable "statements" {
  type = list(object({
    sid        = string
    principals = list(string)
  }))
  default = [
    { sid = "One", principals = ["arn:aws:iam::111111111111:root"] },
    { sid = "Two", principals = ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
  ]
}
