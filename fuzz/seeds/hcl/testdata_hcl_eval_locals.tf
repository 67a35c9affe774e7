locals {
  prefix       = "td-${var.env}"
  numbers      = [1, 2, 3, 4]
  doubled      = [for n in local.numbers : n * 2 if n % 2 == 0]
  by_parity    = { for n in local.numbers : (n % 2 == 0 ? "even" : "odd") => n... }
  arns         = [for k, a in var.accounts : "arn:aws:iam::${a.id}:root"]
  externals    = { for k, a in var.accounts : k => a.external }
  ids          = values(var.accounts)[*].id
  first_id     = local.ids[0]
  arith        = (10 - 4) / 4 + 2 * 3 % 4
  logic        = !(1 > 2) && (3 >= 3 || false) && "a" != "b"
  picked       = var.env == "prod" ? "p" : "np"
  unknown_ws   = terraform.workspace
  account_root = "arn:aws:iam::${var.account}:root"
  tried        = try(var.accounts.gamma.id, "fallback")
  can_alpha    = can(var.accounts.alpha.id)
  can_gamma    = can(var.accounts.gamma.id)
  template     = <<-EOT
    %{~for s in sort(var.services)~}
    ${s}
    %{~endfor~}
    %{if var.env == "dev"}dev-only%{else}other%{endif}
  EOT
  module_dir   = path.module
  rendered     = templatefile("${path.module}/templates/trust.json.tftpl", { account = var.account, services = sort(var.services) })
  broken       = lookup(local.numbers)
}
