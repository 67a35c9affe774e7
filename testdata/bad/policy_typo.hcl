organization {
  accounts = ["111111111111"]
}

rule "TD003" {
  severty = "high"
}
