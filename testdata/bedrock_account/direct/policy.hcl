organization {
  accounts = ["111111111111"]
}
