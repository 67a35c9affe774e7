organization {
  accounts = ["111111111111", "222222222222"]
}
